/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Account passwords live in the desktop's keyring (the Secret Service,
 * through libsecret), never in GSettings or a file of Suda's.  Each is
 * keyed by server ("host:port") and account name. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "suda-secrets.h"

static const SecretSchema *
account_schema (void)
{
  static const SecretSchema schema = {
    "chat.suda.Suda.Account", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
suda_secrets_store_async (const char          *server,
                          const char          *account,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  /* The label is what the person sees in Passwords and Keys (Seahorse). */
  g_autofree char *label = g_strdup_printf (_("Suda chat password for %s on %s"), account, server);

  g_task_set_source_tag (task, suda_secrets_store_async);
  secret_password_store (account_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, on_stored, task,
                         "server", server, "account", account, NULL);
}

gboolean
suda_secrets_store_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, password, (GDestroyNotify) secret_password_free);
}

void
suda_secrets_lookup_async (const char          *server,
                           const char          *account,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, suda_secrets_lookup_async);
  secret_password_lookup (account_schema (), cancellable, on_looked_up, task,
                          "server", server, "account", account, NULL);
}

/* NULL with no error: no password is kept for this account. */
char *
suda_secrets_lookup_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
suda_secrets_clear_async (const char          *server,
                          const char          *account,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, suda_secrets_clear_async);
  secret_password_clear (account_schema (), cancellable, on_cleared, task,
                         "server", server, "account", account, NULL);
}

gboolean
suda_secrets_clear_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
