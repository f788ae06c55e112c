/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The account store: one SQLite file in the state folder, in WAL mode, so a
 * crash at any moment leaves either the old or the new state and never a
 * half-written one.  Hashing (yescrypt, tens of milliseconds) and every write
 * run in worker threads; the connection is opened serialized for that. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "suda-account-store.h"
#include "suda-irc-message.h"
#include "suda-password.h"
#include "suda-task.h"

/* Bumped with every change of the tables below; a store written by a newer
 * Suda is refused rather than misread. */
#define SCHEMA_VERSION 2

static const char schema_v1[] =
  "CREATE TABLE accounts ("
  "  key        TEXT PRIMARY KEY,"          /* the name, casefolded as IRC does */
  "  name       TEXT NOT NULL,"
  "  hash       TEXT NOT NULL,"
  "  created    INTEGER NOT NULL,"
  "  last_seen  INTEGER NOT NULL DEFAULT 0,"
  "  operator   INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE TABLE certificates ("
  "  fingerprint TEXT PRIMARY KEY,"         /* SHA-256, lowercase hex */
  "  key         TEXT NOT NULL REFERENCES accounts (key) ON DELETE CASCADE"
  ") WITHOUT ROWID;"
  "PRAGMA user_version = 1;";

/* v2: the names changed here that the other servers ([cluster]) have not
 * been told of yet, kept across restarts (a change made while Redis was
 * away, or with the server stopped). */
static const char schema_v2[] =
  "CREATE TABLE untold ("
  "  key  TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL"
  ") WITHOUT ROWID;"
  "PRAGMA user_version = 2;";

struct _SudaAccountStore
{
  GObject  parent_instance;

  char    *path;
  sqlite3 *db;
  const SudaAccountClaims *claims;   /* [cluster]'s, or NULL */
  gpointer claims_data;
};

G_DEFINE_FINAL_TYPE (SudaAccountStore, suda_account_store, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];
G_DEFINE_QUARK (suda-account-error-quark, suda_account_error)

void
suda_account_info_free (SudaAccountInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info);
}

static void
suda_account_store_finalize (GObject *object)
{
  SudaAccountStore *self = SUDA_ACCOUNT_STORE (object);

  sqlite3_close (self->db);
  g_free (self->path);
  G_OBJECT_CLASS (suda_account_store_parent_class)->finalize (object);
}

static void
suda_account_store_class_init (SudaAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_account_store_finalize;

  /* An account was made, dropped, or its password or operator status
   * changed, through this store ([cluster] tells the other servers). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
suda_account_store_init (SudaAccountStore *self)
{
}

/* MESSAGE is a whole translated sentence; SQLite's own words follow it. */
static void
set_store_error (GError     **error,
                 sqlite3     *db,
                 const char  *message)
{
  g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_STORE,
               "%s: %s", message, sqlite3_errmsg (db));
}

static gboolean
run_sql (SudaAccountStore  *self,
         const char        *sql,
         GError           **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_STORE,
               _("The account store could not be prepared: %s"), message);
  sqlite3_free (message);
  return FALSE;
}

static int
schema_version (SudaAccountStore *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
prepare_schema (SudaAccountStore  *self,
                GError           **error)
{
  int version;

  /* Another process may hold the file for a moment (a reader, a second
   * server): wait for it, from the very first statement on.  WAL: readers
   * never wait for a writer, and a commit is one append. */
  sqlite3_busy_timeout (self->db, 5000);
  if (!run_sql (self, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;", error))
    return FALSE;
  version = schema_version (self);
  if (version == 0 || version == 1)
    {
      /* a new file gets every version's tables, an older one what it lacks */
      g_autofree char *sql = g_strconcat ("BEGIN IMMEDIATE;", version == 0 ? schema_v1 : "",
                                          schema_v2, "COMMIT;", NULL);

      if (!run_sql (self, sql, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      version = schema_version (self);
    }
  if (version != SCHEMA_VERSION)
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_STORE,
                   _("The account store %s has version %d, which this Suda (version %d) cannot read"),
                   self->path, version, SCHEMA_VERSION);
      return FALSE;
    }
  return TRUE;
}

SudaAccountStore *
suda_account_store_open (const char  *path,
                         GError     **error)
{
  g_autoptr(SudaAccountStore) self = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* Hashes are secrets too: the file (and SQLite's -wal and -shm files,
   * which copy its mode) is readable by the server's user only. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("The account store %s could not be opened: %s"), path, g_strerror (saved));
      return NULL;
    }
  close (fd);

  self = g_object_new (SUDA_TYPE_ACCOUNT_STORE, NULL);
  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      set_store_error (error, self->db, _("The account store could not be opened"));
      return NULL;
    }
  if (!prepare_schema (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
suda_account_store_get_path (SudaAccountStore *self)
{
  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

/* A name is claimed before it is written, and let go when it is dropped
 * or its writing failed: with CLAIMS, two stores sharing names never both
 * make one. */
void
suda_account_store_set_claims (SudaAccountStore        *self,
                               const SudaAccountClaims *claims,
                               gpointer                 data)
{
  g_return_if_fail (SUDA_IS_ACCOUNT_STORE (self));
  self->claims = claims;
  self->claims_data = data;
}

static void
release_claim (SudaAccountStore *self,
               const char       *name)
{
  if (self->claims != NULL)
    self->claims->release (name, self->claims_data);
}

/* Prepares SQL and binds its text parameters (NULL-terminated list). */
static sqlite3_stmt *
prepare (SudaAccountStore *self,
         const char       *sql,
         ...)
{
  sqlite3_stmt *stmt = NULL;
  const char *value;
  va_list args;
  int i = 1;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  va_start (args, sql);
  while ((value = va_arg (args, const char *)) != NULL)
    sqlite3_bind_text (stmt, i++, value, -1, SQLITE_TRANSIENT);
  va_end (args);
  return stmt;
}

/* A change made here: "changed" says so, and the name stays untold until
 * [cluster] has told the other servers (suda_account_store_set_told). */
static void
changed (SudaAccountStore *self,
         const char       *name)
{
  g_autofree char *key = suda_irc_casefold (name);
  sqlite3_stmt *stmt = prepare (self, "INSERT OR REPLACE INTO untold (key, name) VALUES (?, ?)",
                                key, name, NULL);

  if (stmt != NULL)
    sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  g_signal_emit (self, signals[CHANGED], 0, name);
}

static SudaAccountInfo *
info_from_row (sqlite3_stmt *stmt)
{
  SudaAccountInfo *info = g_new0 (SudaAccountInfo, 1);

  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  info->created = sqlite3_column_int64 (stmt, 1);
  info->last_seen = sqlite3_column_int64 (stmt, 2);
  info->is_operator = sqlite3_column_int (stmt, 3) != 0;
  return info;
}

SudaAccountInfo *
suda_account_store_lookup (SudaAccountStore *self,
                           const char       *name)
{
  g_autofree char *key = NULL;
  SudaAccountInfo *info = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  key = suda_irc_casefold (name);
  stmt = prepare (self, "SELECT name, created, last_seen, operator FROM accounts WHERE key = ?",
                  key, NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    info = info_from_row (stmt);
  sqlite3_finalize (stmt);
  return info;
}

gboolean
suda_account_store_exists (SudaAccountStore *self,
                           const char       *name)
{
  g_autoptr(SudaAccountInfo) info = suda_account_store_lookup (self, name);

  return info != NULL;
}

GPtrArray *
suda_account_store_list (SudaAccountStore  *self,
                         GError           **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) suda_account_info_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), NULL);

  stmt = prepare (self, "SELECT name, created, last_seen, operator FROM accounts ORDER BY key", NULL);
  if (stmt == NULL)
    {
      set_store_error (error, self->db, _("The account store could not be read"));
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (accounts, info_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_store_error (error, self->db, _("The account store could not be read"));
      return NULL;
    }
  return g_steal_pointer (&accounts);
}

/* Runs one statement that changes rows; FALSE with NOT_FOUND when it
 * changed none, so "no such account" reads the same everywhere. */
static gboolean
change (SudaAccountStore  *self,
        sqlite3_stmt      *stmt,
        const char        *name,
        GError           **error)
{
  int rc = stmt != NULL ? sqlite3_step (stmt) : SQLITE_ERROR;

  sqlite3_finalize (stmt);
  if (rc == SQLITE_CONSTRAINT)
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS,
                   _("The account “%s” already exists"), name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      set_store_error (error, self->db, _("The account store could not be written"));
      return FALSE;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
suda_account_store_delete (SudaAccountStore  *self,
                           const char        *name,
                           GError           **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  key = suda_irc_casefold (name);
  if (!change (self, prepare (self, "DELETE FROM accounts WHERE key = ?", key, NULL), name, error))
    return FALSE;
  release_claim (self, name);
  changed (self, name);
  return TRUE;
}

gboolean
suda_account_store_set_operator (SudaAccountStore  *self,
                                 const char        *name,
                                 gboolean           is_operator,
                                 GError           **error)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  key = suda_irc_casefold (name);
  if (!change (self, prepare (self, "UPDATE accounts SET operator = ? WHERE key = ?",
                              is_operator ? "1" : "0", key, NULL), name, error))
    return FALSE;
  changed (self, name);
  return TRUE;
}

static gboolean
is_fingerprint (const char *text)
{
  gsize n = 0;

  for (; text[n] != '\0'; n++)
    if (!g_ascii_isxdigit (text[n]))
      return FALSE;
  return n == 64;
}

gboolean
suda_account_store_add_certificate (SudaAccountStore  *self,
                                    const char        *name,
                                    const char        *fingerprint,
                                    GError           **error)
{
  g_autofree char *key = NULL;
  g_autofree char *fp = NULL;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && fingerprint != NULL, FALSE);

  if (!is_fingerprint (fingerprint))
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_INVALID_NAME,
                   _("“%s” is not a SHA-256 fingerprint (64 hexadecimal digits)"), fingerprint);
      return FALSE;
    }
  if (!suda_account_store_exists (self, name))
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account “%s”"), name);
      return FALSE;
    }
  key = suda_irc_casefold (name);
  fp = g_ascii_strdown (fingerprint, -1);
  return change (self, prepare (self, "INSERT OR REPLACE INTO certificates VALUES (?, ?)",
                                fp, key, NULL), name, error);
}

char *
suda_account_store_lookup_certificate (SudaAccountStore *self,
                                       const char       *fingerprint)
{
  g_autofree char *fp = NULL;
  sqlite3_stmt *stmt;
  char *name = NULL;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);

  fp = g_ascii_strdown (fingerprint, -1);
  stmt = prepare (self, "SELECT a.name FROM certificates c JOIN accounts a USING (key) "
                        "WHERE c.fingerprint = ?", fp, NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return name;
}

/* Removes FINGERPRINT from NAME's certificates: FALSE with NOT_FOUND when
 * NAME had no such certificate. */
gboolean
suda_account_store_remove_certificate (SudaAccountStore  *self,
                                       const char        *name,
                                       const char        *fingerprint,
                                       GError           **error)
{
  g_autofree char *key = NULL;
  g_autofree char *fp = NULL;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && fingerprint != NULL, FALSE);

  key = suda_irc_casefold (name);
  fp = g_ascii_strdown (fingerprint, -1);
  return change (self, prepare (self, "DELETE FROM certificates WHERE fingerprint = ? AND key = ?",
                                fp, key, NULL), name, error);
}

/* NAME's certificate fingerprints, sorted; empty when none. */
GStrv
suda_account_store_list_certificates (SudaAccountStore *self,
                                      const char       *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  key = suda_irc_casefold (name);
  stmt = prepare (self, "SELECT fingerprint FROM certificates WHERE key = ? ORDER BY fingerprint", key, NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return g_strv_builder_end (builder);
}

/* ---- work done in threads ------------------------------------------------ */

typedef struct {
  char     *name;
  char     *password;
  gint64    created;   /* a new account's, unix seconds */
  gboolean  claimed;   /* its name was claimed: let go if it is not written */
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->name);
  suda_password_clear (job->password);
  g_free (job->password);
  g_free (job);
}

static gboolean
check_new_account (const char  *name,
                   const char  *password,
                   GError     **error)
{
  gsize length = strlen (password);

  if (!suda_irc_is_valid_nick (name, SUDA_ACCOUNT_NAME_MAX))
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_INVALID_NAME,
                   _("“%s” cannot be an account name: it must be a valid nickname of at most %d characters"),
                   name, SUDA_ACCOUNT_NAME_MAX);
      return FALSE;
    }
  if (length < SUDA_ACCOUNT_PASSWORD_MIN || length > SUDA_ACCOUNT_PASSWORD_MAX ||
      !g_utf8_validate (password, -1, NULL))
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_WEAK_PASSWORD,
                   _("A password must be %d to %d bytes of text"),
                   SUDA_ACCOUNT_PASSWORD_MIN, SUDA_ACCOUNT_PASSWORD_MAX);
      return FALSE;
    }
  return TRUE;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
insert_account (SudaAccountStore  *self,
                const char        *name,
                const char        *hash,
                gint64             created,
                GError           **error)
{
  g_autofree char *key = suda_irc_casefold (name);
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, created);

  return change (self, prepare (self, "INSERT INTO accounts (key, name, hash, created) VALUES (?, ?, ?, ?)",
                                key, name, hash, now, NULL), name, error);
}

static void
register_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      data,
                    GCancellable *cancellable)
{
  SudaAccountStore *self = source;
  Job *job = data;
  g_autofree char *hash = NULL;
  GError *error = NULL;

  /* Asked first so a taken name costs no hashing. */
  if (suda_account_store_exists (self, job->name))
    {
      g_task_return_new_error (task, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS,
                               _("The account “%s” already exists"), job->name);
      return;
    }
  hash = suda_password_hash (job->password, &error);
  if (hash == NULL || !insert_account (self, job->name, hash, job->created, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_job (SudaAccountStore    *self,
           Job                 *job,
           gpointer             source_tag,
           GTaskThreadFunc      func,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, job_free);
  suda_task_run_in_thread (task, func);
}

/* A job on one account; a new password (CHECK) is refused at once when it
 * or the name cannot be, before any thread or hashing. */
static void
start_account_job (SudaAccountStore    *self,
                   const char          *name,
                   const char          *password,
                   gboolean             check,
                   gpointer             source_tag,
                   GTaskThreadFunc      func,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GError *error = NULL;
  Job *job;

  if (check && !check_new_account (name, password, &error))
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  job = g_new0 (Job, 1);
  job->name = g_strdup (name);
  job->password = g_strdup (password);
  start_job (self, job, source_tag, func, cancellable, callback, user_data);
}

static void
on_name_claimed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  ((Job *) g_task_get_task_data (task))->claimed = TRUE;
  suda_task_run_in_thread (task, register_in_thread);
}

/* With claims, the name is claimed first (after the quick local checks),
 * then hashed and written. */
void
suda_account_store_register_async (SudaAccountStore    *self,
                                   const char          *name,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Job *job;

  g_return_if_fail (SUDA_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, suda_account_store_register_async);
  if (!check_new_account (name, password, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  job = g_new0 (Job, 1);
  job->name = g_strdup (name);
  job->password = g_strdup (password);
  job->created = now_seconds ();
  g_task_set_task_data (task, job, job_free);
  if (self->claims == NULL)
    suda_task_run_in_thread (task, register_in_thread);
  else if (suda_account_store_exists (self, name))
    g_task_return_new_error (task, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS,
                             _("The account “%s” already exists"), name);
  else
    self->claims->claim (name, job->created,
                         g_task_new (self, cancellable, on_name_claimed, g_steal_pointer (&task)),
                         self->claims_data);
}

/* The job's account changed: said on the thread that asked for it. */
static gboolean
finish_change (SudaAccountStore  *self,
               GAsyncResult      *result,
               GError           **error)
{
  Job *job = g_task_get_task_data (G_TASK (result));

  if (!suda_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  changed (self, job->name);
  return TRUE;
}

gboolean
suda_account_store_register_finish (SudaAccountStore  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  GError *local = NULL;
  Job *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (finish_change (self, result, &local))
    return TRUE;
  /* A name claimed but not written (a disk error): let go.  A local twin
   * written meanwhile keeps the claim, which is its now. */
  job = g_task_get_task_data (G_TASK (result));
  if (job != NULL && job->claimed && !g_error_matches (local, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS))
    release_claim (self, job->name);
  g_propagate_error (error, local);
  return FALSE;
}

/* A hash of no one's password: a name with no account is checked against
 * it, so the time taken does not tell which names have accounts. */
static const char *
decoy_hash (void)
{
  static char *decoy;
  static gsize made;

  if (g_once_init_enter (&made))
    {
      decoy = suda_password_hash ("suda decoy password", NULL);
      g_once_init_leave (&made, 1);
    }
  return decoy;
}

static char *
stored_hash (SudaAccountStore *self,
             const char       *key,
             char            **name)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT name, hash FROM accounts WHERE key = ?", key, NULL);
  char *hash = NULL;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      *name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);
  return hash;
}

static void
verify_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  SudaAccountStore *self = source;
  Job *job = data;
  g_autofree char *key = suda_irc_casefold (job->name);
  g_autofree char *name = NULL;
  g_autofree char *hash = stored_hash (self, key, &name);
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;

  if (!suda_password_verify (job->password, hash != NULL ? hash : decoy_hash ()) || hash == NULL)
    {
      /* One answer for both: which names exist is nobody's business. */
      g_task_return_new_error (task, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_BAD_PASSWORD,
                               _("Wrong account name or password"));
      return;
    }
  now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  stmt = prepare (self, "UPDATE accounts SET last_seen = ? WHERE key = ?", now, key, NULL);
  if (stmt != NULL)
    sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  g_task_return_pointer (task, g_steal_pointer (&name), g_free);
}

void
suda_account_store_verify_async (SudaAccountStore    *self,
                                 const char          *name,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (SUDA_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL && password != NULL);

  start_account_job (self, name, password, FALSE, suda_account_store_verify_async,
                     verify_in_thread, cancellable, callback, user_data);
}

char *
suda_account_store_verify_finish (SudaAccountStore  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return suda_task_propagate_pointer (G_TASK (result), error);
}

static void
set_password_in_thread (GTask        *task,
                        gpointer      source,
                        gpointer      data,
                        GCancellable *cancellable)
{
  SudaAccountStore *self = source;
  Job *job = data;
  g_autofree char *key = suda_irc_casefold (job->name);
  g_autofree char *hash = NULL;
  GError *error = NULL;

  hash = suda_password_hash (job->password, &error);
  if (hash == NULL ||
      !change (self, prepare (self, "UPDATE accounts SET hash = ? WHERE key = ?", hash, key, NULL),
               job->name, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
suda_account_store_set_password_async (SudaAccountStore    *self,
                                       const char          *name,
                                       const char          *password,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (SUDA_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL && password != NULL);

  start_account_job (self, name, password, TRUE, suda_account_store_set_password_async,
                     set_password_in_thread, cancellable, callback, user_data);
}

gboolean
suda_account_store_set_password_finish (SudaAccountStore  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return finish_change (self, result, error);
}

/* ---- [cluster]: an account as stored, to copy to another server's store -- */

/* FALSE when there is no account NAME; *HASH is the crypt(3) hash. */
gboolean
suda_account_store_dup_record (SudaAccountStore  *self,
                               const char        *name,
                               char             **hash,
                               gint64            *created,
                               gboolean          *is_operator)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && hash != NULL, FALSE);

  key = suda_irc_casefold (name);
  stmt = prepare (self, "SELECT hash, created, operator FROM accounts WHERE key = ?", key, NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      *hash = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (created)
        *created = sqlite3_column_int64 (stmt, 1);
      if (is_operator)
        *is_operator = sqlite3_column_int (stmt, 2) != 0;
      found = TRUE;
    }
  sqlite3_finalize (stmt);
  return found;
}

/* Writes the account as another server stored it (made or changed), with
 * no "changed" signal: it is that server's change. */
gboolean
suda_account_store_put_record (SudaAccountStore  *self,
                               const char        *name,
                               const char        *hash,
                               gint64             created,
                               gboolean           is_operator,
                               GError           **error)
{
  g_autofree char *key = NULL;
  g_autofree char *when = NULL;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && hash != NULL, FALSE);

  key = suda_irc_casefold (name);
  when = g_strdup_printf ("%" G_GINT64_FORMAT, created);
  return change (self, prepare (self, "INSERT INTO accounts (key, name, hash, created, operator) "
                                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                                      "name = excluded.name, hash = excluded.hash, operator = excluded.operator",
                                key, name, hash, when, is_operator ? "1" : "0", NULL), name, error);
}

/* The names changed here that the other servers have not been told of */
GStrv
suda_account_store_list_untold (SudaAccountStore *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (SUDA_IS_ACCOUNT_STORE (self), NULL);

  stmt = prepare (self, "SELECT name FROM untold ORDER BY key", NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return g_strv_builder_end (names);
}

/* NAME as it stands here is what the other servers have (told, or their
 * own change applied here) */
void
suda_account_store_set_told (SudaAccountStore *self,
                             const char       *name)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;

  g_return_if_fail (SUDA_IS_ACCOUNT_STORE (self));
  g_return_if_fail (name != NULL);

  key = suda_irc_casefold (name);
  stmt = prepare (self, "DELETE FROM untold WHERE key = ?", key, NULL);
  if (stmt != NULL)
    sqlite3_step (stmt);
  sqlite3_finalize (stmt);
}

/* ---- CSV import: "name,password" a line, for a whole class at once ------- */

/* An import in three steps: every line read and hashed (a worker thread),
 * the good names claimed (with claims), then all written in one
 * transaction (a worker thread): whole or absent, never half a class. */
typedef struct {
  char       *csv;
  gint64      created;
  GPtrArray  *names;
  GPtrArray  *hashes;         /* NULL where the name was refused or not written */
  GArray     *line_numbers;   /* guint */
  GArray     *claimed;        /* gboolean: let go unless written */
  GPtrArray  *problems;       /* "line N: why" */
  guint       imported;
  guint       pending;        /* claims not answered yet */
} Import;

static void
import_free (gpointer data)
{
  Import *import = data;

  suda_password_clear (import->csv);
  g_free (import->csv);
  g_ptr_array_unref (import->names);
  g_ptr_array_unref (import->hashes);
  g_array_unref (import->line_numbers);
  g_array_unref (import->claimed);
  g_ptr_array_unref (import->problems);
  g_free (import);
}

static void
add_problem (Import     *import,
             guint       i,
             const char *why)
{
  g_ptr_array_add (import->problems,
                   g_strdup_printf (_("line %u: %s"), g_array_index (import->line_numbers, guint, i), why));
}

static char *
hash_import_line (SudaAccountStore  *self,
                  const char        *name,
                  const char        *password,
                  GError           **error)
{
  if (!check_new_account (name, password, error))
    return NULL;
  if (suda_account_store_exists (self, name))
    {
      g_set_error (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS,
                   _("The account “%s” already exists"), name);
      return NULL;
    }
  return suda_password_hash (password, error);
}

static void
read_import_line (SudaAccountStore *self,
                  Import           *import,
                  char             *line,
                  guint             number,
                  GHashTable       *seen)
{
  char *comma = strchr (line, ',');
  g_autoptr(GError) error = NULL;
  char *hash;

  if (comma == NULL)
    {
      g_ptr_array_add (import->problems, g_strdup_printf (_("line %u: no comma between name and password"), number));
      return;
    }
  *comma = '\0';
  g_strstrip (line);
  g_strstrip (comma + 1);
  if (!g_hash_table_add (seen, suda_irc_casefold (line)))
    {
      g_ptr_array_add (import->problems,
                       g_strdup_printf (_("line %u: “%s” is already on an earlier line"), number, line));
      return;
    }
  hash = hash_import_line (self, line, comma + 1, &error);
  if (hash == NULL)
    {
      g_ptr_array_add (import->problems, g_strdup_printf (_("line %u: %s"), number, error->message));
      return;
    }
  g_ptr_array_add (import->names, g_strdup (line));
  g_ptr_array_add (import->hashes, hash);
  g_array_append_val (import->line_numbers, number);
  g_array_append_val (import->claimed, (gboolean) { FALSE });
}

static void
hash_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Import *import = data;
  g_auto(GStrv) lines = g_strsplit (import->csv, "\n", -1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (line[0] != '\0' && line[0] != '#' && (i > 0 || g_ascii_strcasecmp (line, "name,password") != 0))
        read_import_line (source, import, line, i + 1, seen);
      suda_password_clear (lines[i]);
    }
  g_task_return_boolean (task, TRUE);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  SudaAccountStore *self = source;
  Import *import = data;
  GError *error = NULL;

  sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  for (guint i = 0; i < import->names->len; i++)
    {
      const char *hash = g_ptr_array_index (import->hashes, i);

      if (hash == NULL)
        continue;
      if (insert_account (self, import->names->pdata[i], hash, import->created, &error))
        import->imported++;
      else
        {
          add_problem (import, i, error->message);
          g_clear_error (&error);
          g_clear_pointer (&g_ptr_array_index (import->hashes, i), g_free);
        }
    }
  if (sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      import->imported = 0;
      for (guint i = 0; i < import->hashes->len; i++)
        g_clear_pointer (&g_ptr_array_index (import->hashes, i), g_free);
      g_ptr_array_add (import->problems, g_strdup (sqlite3_errmsg (self->db)));
    }
  g_task_return_boolean (task, TRUE);
}

/* A step run in a worker thread for TASK (the import's own), then NEXT. */
static void
run_step (GTask               *task,
          GTaskThreadFunc      func,
          GAsyncReadyCallback  next)
{
  g_autoptr(GTask) step = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task),
                                      next, g_object_ref (task));

  g_task_set_task_data (step, g_task_get_task_data (task), NULL);
  suda_task_run_in_thread (step, func);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;

  /* what the step's worker wrote into the shared data is read from here on */
  SUDA_TSAN_ACQUIRE (result);
  g_task_return_boolean (task, TRUE);
}

static void
on_import_claimed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  GTask *task = data;
  Import *import = g_task_get_task_data (task);
  guint i = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_array_index (import->claimed, gboolean, i) = TRUE;
  else
    {
      add_problem (import, i, error->message);
      g_clear_pointer (&g_ptr_array_index (import->hashes, i), g_free);
    }
  if (--import->pending == 0)
    run_step (task, write_in_thread, on_written);
  g_object_unref (task);
}

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  SudaAccountStore *self = SUDA_ACCOUNT_STORE (source);
  Import *import = g_task_get_task_data (task);

  SUDA_TSAN_ACQUIRE (result);   /* the hashes the step's worker made */
  if (self->claims == NULL || import->names->len == 0)
    {
      run_step (task, write_in_thread, on_written);
      return;
    }
  import->pending = import->names->len;
  for (guint i = 0; i < import->names->len; i++)
    {
      GTask *claim = g_task_new (self, NULL, on_import_claimed, g_object_ref (task));

      g_task_set_task_data (claim, GUINT_TO_POINTER (i), NULL);
      self->claims->claim (import->names->pdata[i], import->created, claim, self->claims_data);
    }
}

void
suda_account_store_import_csv_async (SudaAccountStore    *self,
                                     const char          *csv,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Import *import;

  g_return_if_fail (SUDA_IS_ACCOUNT_STORE (self));
  g_return_if_fail (csv != NULL);

  import = g_new0 (Import, 1);
  import->csv = g_strdup (csv);
  import->created = now_seconds ();
  import->names = g_ptr_array_new_with_free_func (g_free);
  import->hashes = g_ptr_array_new_with_free_func (g_free);
  import->line_numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  import->claimed = g_array_new (FALSE, FALSE, sizeof (gboolean));
  import->problems = g_ptr_array_new_with_free_func (g_free);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, suda_account_store_import_csv_async);
  g_task_set_task_data (task, import, import_free);
  run_step (task, hash_in_thread, on_hashed);
}

/* Each account written is "changed"; a name claimed and not written is
 * let go. */
guint
suda_account_store_import_csv_finish (SudaAccountStore  *self,
                                      GAsyncResult      *result,
                                      GStrv             *problems,
                                      GError           **error)
{
  Import *import;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  if (!suda_task_propagate_boolean (G_TASK (result), error))
    return 0;
  import = g_task_get_task_data (G_TASK (result));
  for (guint i = 0; i < import->names->len; i++)
    {
      if (g_ptr_array_index (import->hashes, i) != NULL)
        changed (self, import->names->pdata[i]);
      else if (g_array_index (import->claimed, gboolean, i))
        release_claim (self, import->names->pdata[i]);
    }
  if (problems != NULL)
    {
      g_ptr_array_add (import->problems, NULL);
      *problems = (GStrv) g_ptr_array_steal (import->problems, NULL);
      import->problems = g_ptr_array_new_with_free_func (g_free);
    }
  return import->imported;
}
