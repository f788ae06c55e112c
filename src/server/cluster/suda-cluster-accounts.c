/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Accounts shared across servers ([cluster], issue 15).  Each server keeps
 * its own SQLite store, and every change made through it (register,
 * password, drop, operator) goes to the others as an "account" message
 * carrying the stored record (the crypt(3) hash, never the password),
 * which they write into theirs.  So a login is checked on the server it
 * reaches, from its own file, with Redis away or not; the README's cluster
 * section says why this beat Redis hashes as the store. */
#include "config.h"

#include "suda-cluster-private.h"

struct _SudaClusterAccounts
{
  SudaCluster      *cluster;    /* not owned: it owns this */
  SudaAccountStore *store;
  gulong            changed_id;
  gboolean          applying;   /* another server's change: not told again */
};

static void
on_changed (SudaAccountStore    *store,
            const char          *name,
            SudaClusterAccounts *self)
{
  g_autofree char *hash = NULL;
  gint64 created = 0;
  gboolean is_operator = FALSE;
  JsonBuilder *builder;

  if (self->applying)
    return;
  builder = _suda_cluster_begin (self->cluster, "account");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  if (suda_account_store_dup_record (store, name, &hash, &created, &is_operator))
    {
      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, hash);
      json_builder_set_member_name (builder, "created");
      json_builder_add_int_value (builder, created);
      json_builder_set_member_name (builder, "operator");
      json_builder_add_boolean_value (builder, is_operator);
    }
  /* No hash: the account was dropped. */
  _suda_cluster_publish (self->cluster, builder);
  g_object_unref (builder);
}

SudaClusterAccounts *
_suda_cluster_accounts_new (SudaCluster *cluster)
{
  SudaClusterAccounts *self = g_new0 (SudaClusterAccounts, 1);
  SudaAccountStore *store = _suda_cluster_get_core (cluster)->accounts;

  self->cluster = cluster;
  if (store != NULL)
    {
      self->store = g_object_ref (store);
      self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (on_changed), self);
    }
  return self;
}

void
_suda_cluster_accounts_free (SudaClusterAccounts *self)
{
  if (self == NULL)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_free (self);
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
    return;
  /* This server's copy of the accounts is behind now: say so. */
  entry = suda_log_entry_new (0, "error", NULL, NULL, error->message);
  suda_log_entry_set_field (entry, "account", name);
  _suda_delivery_log (_suda_cluster_get_core (self->cluster)->delivery, entry);
}
