/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Accounts shared across servers ([cluster], issue 15).  Each server keeps
 * its own SQLite store, and every change made through it (register,
 * password, drop, operator) goes to the others as an "account" message
 * carrying the stored record (the crypt(3) hash, never the password),
 * which they write into theirs.  So a login is checked on the server it
 * reaches, from its own file, with Redis away or not; the README's cluster
 * section says why this beat Redis hashes as the store.
 *
 * A name is one account across servers: before an account is written the
 * store claims its name, SET suda:account:NAME "SERVER CREATED" NX, and the
 * server that finds it taken answers as for a name it holds itself.  The
 * creation time names the account: every server's copy carries it, so a
 * copy is told from a different account of the same name (a conflict) when
 * a server claims what it holds on joining.  Without Redis no name can be
 * claimed, so none is made: docs/cluster.md says why.  A change made here
 * while Redis is away (a password, a drop, operator), or in the file while
 * the server was stopped, goes out when the server joins, as the account
 * then stands: the store keeps the names untold until they are told. */
#include "config.h"

#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "suda-cluster-private.h"
#include "suda-irc-message.h"

#define ACCOUNT_KEY "suda:account:"

struct _SudaClusterAccounts
{
  SudaCluster      *cluster;    /* not owned: it owns this; NULL once dead */
  SudaAccountStore *store;
  gulong            changed_id;
  gboolean          applying;   /* another server's change: not told again */
  GHashTable       *releases;   /* names let go while Redis was away */
};

static SudaClusterAccounts *
accounts_ref (SudaClusterAccounts *self)
{
  return g_rc_box_acquire (self);
}

static void
accounts_clear (gpointer data)
{
  SudaClusterAccounts *self = data;

  g_hash_table_unref (self->releases);
}

static void
accounts_unref (gpointer self)
{
  g_rc_box_release_full (self, accounts_clear);
}

static char *
account_key (const char *name)
{
  g_autofree char *folded = suda_irc_casefold (name);

  return g_strconcat (ACCOUNT_KEY, folded, NULL);
}

static char *
claim_value (SudaClusterAccounts *self,
             gint64               created)
{
  return g_strdup_printf ("%s %" G_GINT64_FORMAT, _suda_cluster_get_id (self->cluster), created);
}

/* The answer to a claim (SET ... NX GET): TRUE and no HOLDER when the
 * name was free, TRUE with the server that made the account and when
 * (CREATED) when it was taken, FALSE when Redis gave no answer. */
static gboolean
claim_answer (SudaClusterAccounts  *self,
              GObject              *source,
              GAsyncResult         *result,
              char                **holder,
              gint64               *created)
{
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);
  const char *space;

  *holder = NULL;
  *created = 0;
  if (self->cluster == NULL || reply == NULL)
    return FALSE;
  if (reply->type == REDIS_REPLY_NIL)
    return TRUE;
  if (reply->type != REDIS_REPLY_STRING)
    return FALSE;
  space = strrchr (reply->str, ' ');
  *created = space ? g_ascii_strtoll (space + 1, NULL, 10) : 0;
  *holder = g_strndup (reply->str, space ? (gsize) (space - reply->str) : strlen (reply->str));
  return TRUE;
}

static void
log_account (SudaClusterAccounts *self,
             const char          *event,
             const char          *name,
             const char          *text)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, event, NULL, NULL, text);

  suda_log_entry_set_field (entry, "account", name);
  suda_log_entry_set_field (entry, "cluster", _suda_cluster_get_id (self->cluster));
  _suda_delivery_log (_suda_cluster_get_core (self->cluster)->delivery, entry);
}

static void
on_answered (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(redisReply) reply = suda_redis_command_finish (SUDA_REDIS (source), result, NULL);
}

/* Claiming before an account is made -------------------------------------------- */

typedef struct {
  SudaClusterAccounts *accounts;
  char                *name;
  char                *value;
  GTask               *task;   /* the store's, or NULL when joining */
  gint64               created;
} Claiming;

static void
claiming_free (Claiming *claiming)
{
  accounts_unref (claiming->accounts);
  g_free (claiming->name);
  g_free (claiming->value);
  g_clear_object (&claiming->task);
  g_free (claiming);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Claiming, claiming_free)

static Claiming *
claiming_new (SudaClusterAccounts *self,
              const char          *name,
              gint64               created,
              GTask               *task)
{
  Claiming *claiming = g_new0 (Claiming, 1);

  claiming->accounts = accounts_ref (self);
  claiming->name = g_strdup (name);
  claiming->created = created;
  claiming->value = claim_value (self, created);
  claiming->task = task;
  return claiming;
}

static void
refuse_unavailable (SudaClusterAccounts *self,
                    GTask               *task,
                    const char          *name)
{
  g_autofree char *text = g_strdup_printf ("account %s not made: Redis is unreachable, so the name "
                                           "cannot be claimed", name);

  if (self->cluster != NULL)
    log_account (self, "error", name, text);
  g_task_return_new_error (task, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_UNAVAILABLE,
                           _("The other servers cannot be asked whether “%s” is free (Redis is "
                             "unreachable): try again later"), name);
}

/* Ours already (a claim whose release was lost) is ours to take again. */
static gboolean
is_own (SudaClusterAccounts *self,
        const char          *holder)
{
  return g_strcmp0 (holder, _suda_cluster_get_id (self->cluster)) == 0;
}

static void
take_over (SudaClusterAccounts *self,
           Claiming            *claiming)
{
  g_autofree char *key = account_key (claiming->name);
  const char *argv[] = { "SET", key, claiming->value, NULL };

  _suda_cluster_call (self->cluster, argv, on_answered, NULL);
}

static void
on_claimed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(Claiming) claiming = data;
  SudaClusterAccounts *self = claiming->accounts;
  g_autofree char *holder = NULL;
  g_autofree char *text = NULL;
  gint64 created;

  if (!claim_answer (self, source, result, &holder, &created))
    {
      refuse_unavailable (self, claiming->task, claiming->name);
      return;
    }
  if (holder == NULL)
    {
      g_task_return_boolean (claiming->task, TRUE);
      return;
    }
  if (is_own (self, holder))
    {
      take_over (self, claiming);
      g_task_return_boolean (claiming->task, TRUE);
      return;
    }
  /* Another server made it first: the same answer as a name held here. */
  text = g_strdup_printf ("account %s not made: server %s holds the name", claiming->name, holder);
  log_account (self, "error", claiming->name, text);
  g_task_return_new_error (claiming->task, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_EXISTS,
                           _("The account “%s” already exists"), claiming->name);
}

static void
claim (const char *name,
       gint64      created,
       GTask      *task,
       gpointer    data)
{
  SudaClusterAccounts *self = data;
  g_autofree char *key = account_key (name);
  Claiming *claiming = claiming_new (self, name, created, task);
  /* Redis 7: with NX, GET says who holds it when it is taken. */
  const char *argv[] = { "SET", key, claiming->value, "NX", "GET", NULL };

  if (!_suda_cluster_call (self->cluster, argv, on_claimed, claiming))
    {
      refuse_unavailable (self, task, name);
      claiming_free (claiming);
    }
}

/* FALSE while Redis is away */
static gboolean
delete_key (SudaClusterAccounts *self,
            const char          *key)
{
  const char *argv[] = { "DEL", key, NULL };

  return _suda_cluster_call (self->cluster, argv, on_answered, NULL);
}

/* A drop another server made, of an account this server had claimed too
 * (a copy it holds claims its name when joining): that claim goes. */
static void
on_dropped_claim (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(Claiming) claiming = data;
  SudaClusterAccounts *self = claiming->accounts;
  g_autofree char *holder = NULL;
  g_autofree char *key = NULL;
  gint64 created;

  if (claim_answer (self, source, result, &holder, &created) && is_own (self, holder))
    {
      key = account_key (claiming->name);
      delete_key (self, key);
    }
}

/* Dropped here, or claimed and not written: the name is free everywhere.
 * A drop another server made is its to let go, but a claim of this
 * server's on it (made for its copy) goes too. */
static void
release (const char *name,
         gpointer    data)
{
  SudaClusterAccounts *self = data;
  g_autofree char *key = account_key (name);

  if (self->applying)
    {
      const char *argv[] = { "GET", key, NULL };
      Claiming *claiming = claiming_new (self, name, 0, NULL);

      if (!_suda_cluster_call (self->cluster, argv, on_dropped_claim, claiming))
        claiming_free (claiming);
    }
  else if (!delete_key (self, key))
    g_hash_table_add (self->releases, g_steal_pointer (&key));
}

static const SudaAccountClaims claims = { claim, release };

/* Changes ---------------------------------------------------------------------- */

/* The others are sent NAME's record as it stands here; FALSE while Redis
 * is away. */
static gboolean
tell (SudaClusterAccounts *self,
      const char          *name)
{
  g_autofree char *hash = NULL;
  gint64 created = 0;
  gboolean is_operator = FALSE;
  JsonBuilder *builder;
  gboolean told;

  builder = _suda_cluster_begin (self->cluster, "account");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  if (suda_account_store_dup_record (self->store, name, &hash, &created, &is_operator))
    {
      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, hash);
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, created);
      json_builder_set_member_name (builder, "operator");
      json_builder_add_boolean_value (builder, is_operator);
    }
  /* No hash: the account was dropped. */
  told = _suda_cluster_publish (self->cluster, builder);
  g_object_unref (builder);
  return told;
}

/* Told: the store may forget that NAME is untold (another server's
 * change, applied here, is forgotten in _suda_cluster_accounts_in()). */
static void
on_changed (SudaAccountStore    *store,
            const char          *name,
            SudaClusterAccounts *self)
{
  if (!self->applying && tell (self, name))
    suda_account_store_set_told (store, name);
}

/* Joining: the names this server holds ------------------------------------------- */

/* Taken by another server: the same account (a copy, made at the same
 * time) or a conflict, which is logged and left as it is. */
static void
on_joined_claim (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(Claiming) claiming = data;
  SudaClusterAccounts *self = claiming->accounts;
  g_autofree char *holder = NULL;
  g_autofree char *text = NULL;
  gint64 created;

  if (!claim_answer (self, source, result, &holder, &created) || holder == NULL)
    return;
  if (created == claiming->created)
    return;
  if (is_own (self, holder))
    {
      take_over (self, claiming);
      return;
    }
  text = g_strdup_printf ("account %s conflicts: server %s claimed a different account of that name; "
                          "this server's copy (made %" G_GINT64_FORMAT ") is not claimed",
                          claiming->name, holder, claiming->created);
  log_account (self, "error", claiming->name, text);
}

/* What changed here while Redis was away or the server was stopped, as it
 * stands now: the last word on an account is the last told (docs/cluster.md). */
static void
tell_untold (SudaClusterAccounts *self)
{
  g_auto(GStrv) names = self->store ? suda_account_store_list_untold (self->store) : NULL;

  for (guint i = 0; names && names[i]; i++)
    if (tell (self, names[i]))
      suda_account_store_set_told (self->store, names[i]);
}

void
_suda_cluster_accounts_joined (SudaClusterAccounts *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  GHashTableIter iter;
  gpointer key;

  /* Releases first: the same connection keeps them in order. */
  g_hash_table_iter_init (&iter, self->releases);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      delete_key (self, key);
      g_hash_table_iter_remove (&iter);
    }
  if (self->store == NULL || (accounts = suda_account_store_list (self->store, NULL)) == NULL)
    {
      tell_untold (self);
      return;
    }
  for (guint i = 0; i < accounts->len; i++)
    {
      SudaAccountInfo *info = g_ptr_array_index (accounts, i);
      g_autofree char *name_key = account_key (info->name);
      Claiming *claiming = claiming_new (self, info->name, info->created, NULL);
      const char *argv[] = { "SET", name_key, claiming->value, "NX", "GET", NULL };

      if (!_suda_cluster_call (self->cluster, argv, on_joined_claim, claiming))
        claiming_free (claiming);
    }
  tell_untold (self);
}

SudaClusterAccounts *
_suda_cluster_accounts_new (SudaCluster *cluster)
{
  SudaClusterAccounts *self = g_rc_box_new0 (SudaClusterAccounts);
  SudaAccountStore *store = _suda_cluster_get_core (cluster)->accounts;

  self->cluster = cluster;
  self->releases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (store != NULL)
    {
      self->store = g_object_ref (store);
      self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_changed), self);
      suda_account_store_set_claims (store, &claims, self);
    }
  return self;
}

/* Claims still on the way find it dead and answer "unavailable". */
void
_suda_cluster_accounts_free (SudaClusterAccounts *self)
{
  if (self == NULL)
    return;
  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->store);
      suda_account_store_set_claims (self->store, NULL, NULL);
    }
  g_clear_object (&self->store);
  self->cluster = NULL;
  accounts_unref (self);
}

void
_suda_cluster_accounts_in (SudaClusterAccounts *self,
                           JsonObject          *object)
{
  const char *name = json_object_get_string_member_with_default (object, "name", NULL);
  const char *hash = json_object_get_string_member_with_default (object, "hash", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (self->store == NULL || name == NULL)
    return;
  self->applying = TRUE;
  if (hash != NULL)
    suda_account_store_put_record (self->store, name, hash,
                                   json_object_get_int_member_with_default (object, "created", 0),
                                   json_object_get_boolean_member_with_default (object, "operator", FALSE),
                                   &error);
  else if (!suda_account_store_delete (self->store, name, &error) &&
           g_error_matches (error, SUDA_ACCOUNT_ERROR, SUDA_ACCOUNT_ERROR_NOT_FOUND))
    g_clear_error (&error);   /* never copied here: nothing to drop */
  self->applying = FALSE;
  if (error == NULL)
    {
      suda_account_store_set_told (self->store, name);
      return;
    }
  /* This server's copy of the accounts is behind now: say so. */
  entry = suda_log_entry_new (0, "error", NULL, NULL, error->message);
  suda_log_entry_set_field (entry, "account", name);
  _suda_delivery_log (_suda_cluster_get_core (self->cluster)->delivery, entry);
}
