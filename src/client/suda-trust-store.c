/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the client has decided to trust, kept across runs in a key file:
 * certificates pinned on first use (per host and port, as HexChat and
 * Polari do) and IRCv3 Strict Transport Security policies (per host). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "suda-trust-store.h"

struct _SudaTrustStore
{
  GObject   parent_instance;

  char     *path;
  GKeyFile *file;
};

G_DEFINE_FINAL_TYPE (SudaTrustStore, suda_trust_store, G_TYPE_OBJECT)

/* "port=6697,duration=2592000,preload": the keys Suda acts on; unknown
 * keys are ignored as the specification asks. */
gboolean
suda_sts_parse (const char    *value,
                SudaStsPolicy *policy)
{
  g_auto(GStrv) pairs = NULL;

  g_return_val_if_fail (policy != NULL, FALSE);

  policy->port = 0;
  policy->duration = -1;
  if (value == NULL)
    return FALSE;
  pairs = g_strsplit (value, ",", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      guint64 number;

      if (eq == NULL)
        continue;
      if (!g_ascii_string_to_unsigned (eq + 1, 10, 0, G_MAXINT64, &number, NULL))
        return FALSE;
      if (strncmp (pairs[i], "port=", 5) == 0)
        {
          if (number == 0 || number > G_MAXUINT16)
            return FALSE;
          policy->port = (guint16) number;
        }
      else if (strncmp (pairs[i], "duration=", 9) == 0)
        policy->duration = (gint64) number;
    }
  return policy->port != 0 || policy->duration >= 0;
}

static void
suda_trust_store_finalize (GObject *object)
{
  SudaTrustStore *self = SUDA_TRUST_STORE (object);

  g_key_file_unref (self->file);
  g_free (self->path);
  G_OBJECT_CLASS (suda_trust_store_parent_class)->finalize (object);
}

static void
suda_trust_store_class_init (SudaTrustStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = suda_trust_store_finalize;
}

static void
suda_trust_store_init (SudaTrustStore *self)
{
  self->file = g_key_file_new ();
}

/* A missing or unreadable file is an empty store: trust starts over, it
 * is never invented. */
SudaTrustStore *
suda_trust_store_new (const char *path)
{
  SudaTrustStore *self = g_object_new (SUDA_TYPE_TRUST_STORE, NULL);
  g_autoptr(GError) error = NULL;

  self->path = g_strdup (path);
  if (!g_key_file_load_from_file (self->file, path, G_KEY_FILE_NONE, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_message ("%s: %s; starting with no trusted certificates", path, error->message);
  return self;
}

SudaTrustStore *
suda_trust_store_get_default (void)
{
  static SudaTrustStore *store;

  if (store == NULL)
    {
      g_autofree char *path = g_build_filename (g_get_user_config_dir (), "suda", "trust.ini", NULL);

      store = suda_trust_store_new (path);
    }
  return store;
}

static gboolean
save (SudaTrustStore  *self,
      GError         **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return g_key_file_save_to_file (self->file, self->path, error);
}

/* Key file groups cannot hold brackets; an IPv6 address needs none here. */
static char *
pin_group (const char *host,
           guint16     port)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  return g_strdup_printf ("pin %s %u", lower, port);
}

static char *
sts_group (const char *host)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  return g_strdup_printf ("sts %s", lower);
}

SudaTrustVerdict
suda_trust_store_check (SudaTrustStore *self,
                        const char     *host,
                        guint16         port,
                        const char     *fingerprint)
{
  g_autofree char *group = NULL;
  g_autofree char *pinned = NULL;

  g_return_val_if_fail (SUDA_IS_TRUST_STORE (self), SUDA_TRUST_UNKNOWN);
  g_return_val_if_fail (host != NULL && fingerprint != NULL, SUDA_TRUST_UNKNOWN);

  group = pin_group (host, port);
  pinned = g_key_file_get_string (self->file, group, "fingerprint", NULL);
  if (pinned == NULL)
    return SUDA_TRUST_UNKNOWN;
  return g_ascii_strcasecmp (pinned, fingerprint) == 0 ? SUDA_TRUST_PINNED : SUDA_TRUST_CHANGED;
}

gboolean
suda_trust_store_pin (SudaTrustStore  *self,
                      const char      *host,
                      guint16          port,
                      const char      *fingerprint,
                      GError         **error)
{
  g_autofree char *group = NULL;
  g_autofree char *lower = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);

  g_return_val_if_fail (SUDA_IS_TRUST_STORE (self), FALSE);
  g_return_val_if_fail (host != NULL && fingerprint != NULL, FALSE);

  group = pin_group (host, port);
  lower = g_ascii_strdown (fingerprint, -1);
  g_key_file_set_string (self->file, group, "fingerprint", lower);
  g_key_file_set_string (self->file, group, "pinned", when);
  return save (self, error);
}

gboolean
suda_trust_store_forget (SudaTrustStore  *self,
                         const char      *host,
                         guint16          port,
                         GError         **error)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (SUDA_IS_TRUST_STORE (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  group = pin_group (host, port);
  if (!g_key_file_remove_group (self->file, group, NULL))
    return TRUE;
  return save (self, error);
}

/* Only a policy read over TLS may be stored (the caller's duty): one
 * read in clear could be an attacker's.  A duration of 0 ends it. */
gboolean
suda_trust_store_set_sts (SudaTrustStore      *self,
                          const char          *host,
                          const SudaStsPolicy *policy,
                          gint64               now,
                          GError             **error)
{
  g_autofree char *group = NULL;

  g_return_val_if_fail (SUDA_IS_TRUST_STORE (self), FALSE);
  g_return_val_if_fail (host != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (policy->port != 0, FALSE);

  group = sts_group (host);
  if (policy->duration < 0)
    return TRUE;
  if (policy->duration == 0)
    g_key_file_remove_group (self->file, group, NULL);
  else
    {
      g_key_file_set_integer (self->file, group, "port", policy->port);
      g_key_file_set_int64 (self->file, group, "expires", now + policy->duration);
    }
  return save (self, error);
}

guint16
suda_trust_store_lookup_sts (SudaTrustStore *self,
                             const char     *host,
                             gint64          now)
{
  g_autofree char *group = NULL;
  gint64 expires;
  int port;

  g_return_val_if_fail (SUDA_IS_TRUST_STORE (self), 0);
  g_return_val_if_fail (host != NULL, 0);

  group = sts_group (host);
  expires = g_key_file_get_int64 (self->file, group, "expires", NULL);
  port = g_key_file_get_integer (self->file, group, "port", NULL);
  if (expires <= now || port <= 0 || port > G_MAXUINT16)
    return 0;
  return (guint16) port;
}
