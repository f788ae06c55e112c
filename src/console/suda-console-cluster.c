/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-console-cluster.h"
#include "suda-console-window-private.h"

struct _SudaConsoleCluster
{
  GtkBox            parent_instance;

  /* Template widgets */
  AdwActionRow     *redis_row;
  GtkImage         *redis_icon;
  GtkListBox       *servers_list;

  /* Owned */
  SudaServerHost   *host;
  SudaServerConfig *base_config;   /* what the next start uses, or NULL */
  gboolean          configured;
};

enum {
  PROP_0,
  PROP_CONFIGURED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SudaConsoleCluster, suda_console_cluster, GTK_TYPE_BOX)

static gboolean
has_cluster (const SudaServerConfig *config)
{
  return config != NULL && config->cluster.redis != NULL && *config->cluster.redis != '\0';
}

/* The running server's configuration rules while it runs; the next
 * start's otherwise. */
static void
update_configured (SudaConsoleCluster *self)
{
  gboolean running = self->host != NULL && suda_server_host_get_running (self->host);
  gboolean configured = running ? has_cluster (suda_server_host_get_config (self->host))
                                : has_cluster (self->base_config);

  if (configured == self->configured)
    return;
  self->configured = configured;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIGURED]);
}

static void
show_link (SudaConsoleCluster      *self,
           const SudaClusterStatus *status)
{
  g_autofree char *since = status && status->since ? _suda_console_format_moment (status->since) : NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *icon = "network-offline-symbolic";

  if (status == NULL)
    title = g_strdup (_("The server is stopped: it joins the cluster as it starts"));
  else if (status->link == SUDA_CLUSTER_LINK_CONNECTED)
    {
      title = g_strdup_printf (_("Connected to %s"), status->redis);
      subtitle = g_strdup_printf (_("Since %s, as server %s"), since, status->id);
      icon = "network-transmit-receive-symbolic";
    }
  else if (status->link == SUDA_CLUSTER_LINK_UNREACHABLE)
    {
      title = g_strdup_printf (_("Redis unreachable since %s — local chat goes on"), since);
      subtitle = g_strdup_printf (_("The other servers are out of reach until %s answers again."),
                                  status->redis);
      icon = "network-error-symbolic";
    }
  else
    title = g_strdup_printf (_("Connecting to %s…"), status->redis);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->redis_row), title);
  adw_action_row_set_subtitle (self->redis_row, subtitle ? subtitle : "");
  gtk_image_set_from_icon_name (self->redis_icon, icon);
  if (status != NULL && status->link == SUDA_CLUSTER_LINK_UNREACHABLE)
    gtk_widget_add_css_class (GTK_WIDGET (self->redis_icon), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->redis_icon), "error");
}

static void
show_server (AdwActionRow          *row,
             const SudaClusterPeer *peer)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (peer->is_self)
    {
      title = g_strdup_printf (_("%s (this server)"), peer->id);
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", peer->n_users),
                                  peer->n_users);
    }
  else if (peer->last_heard > 0)
    {
      g_autoptr(GDateTime) heard = g_date_time_new_from_unix_local (peer->last_heard / G_USEC_PER_SEC);
      g_autofree char *when = _suda_console_format_moment (heard);

      title = g_strdup (peer->id);
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user · last heard at %s",
                                               "%u users · last heard at %s", peer->n_users),
                                  peer->n_users, when);
    }
  else
    {
      title = g_strdup (peer->id);
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u user", "%u users", peer->n_users),
                                  peer->n_users);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "suda-self"), peer->is_self);
}

static AdwActionRow *
new_server_row (void)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *mark = gtk_image_new_from_icon_name ("emblem-default-symbolic");

  gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL, _("This server"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
  g_object_set_data (G_OBJECT (row), "suda-self", mark);
  return ADW_ACTION_ROW (row);
}

/* A handful of servers: the rows are updated in place, so a refresh every
 * second moves nothing under the pointer. */
static void
show_servers (SudaConsoleCluster      *self,
              const SudaClusterStatus *status)
{
  guint n = status ? status->servers->len : 0;
  guint i = 0;
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->servers_list));

  for (; i < n; i++)
    {
      if (row == NULL)
        {
          row = GTK_WIDGET (new_server_row ());
          gtk_list_box_append (self->servers_list, row);
        }
      show_server (ADW_ACTION_ROW (row), g_ptr_array_index (status->servers, i));
      row = gtk_widget_get_next_sibling (row);
    }
  while (row != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (row);

      gtk_list_box_remove (self->servers_list, row);
      row = next;
    }
}

static void
update (SudaConsoleCluster *self)
{
  const SudaClusterStatus *status = self->host ? suda_server_host_get_cluster (self->host) : NULL;

  update_configured (self);
  show_link (self, status);
  show_servers (self, status);
}

static void
map_changed_cb (SudaConsoleCluster *self)
{
  if (self->host != NULL)
    suda_server_host_set_cluster_watched (self->host, gtk_widget_get_mapped (GTK_WIDGET (self)));
}

static void
suda_console_cluster_dispose (GObject *object)
{
  SudaConsoleCluster *self = SUDA_CONSOLE_CLUSTER (object);

  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  g_clear_object (&self->host);
  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONSOLE_CLUSTER);

  G_OBJECT_CLASS (suda_console_cluster_parent_class)->dispose (object);
}

static void
suda_console_cluster_finalize (GObject *object)
{
  SudaConsoleCluster *self = SUDA_CONSOLE_CLUSTER (object);

  g_clear_pointer (&self->base_config, suda_server_config_free);

  G_OBJECT_CLASS (suda_console_cluster_parent_class)->finalize (object);
}

static void
suda_console_cluster_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SudaConsoleCluster *self = SUDA_CONSOLE_CLUSTER (object);

  switch (prop_id)
    {
    case PROP_CONFIGURED:
      g_value_set_boolean (value, self->configured);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
suda_console_cluster_class_init (SudaConsoleClusterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_console_cluster_dispose;
  object_class->finalize = suda_console_cluster_finalize;
  object_class->get_property = suda_console_cluster_get_property;

  properties[PROP_CONFIGURED] =
    g_param_spec_boolean ("configured", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-console-cluster.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleCluster, redis_row);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleCluster, redis_icon);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleCluster, servers_list);
}

static void
suda_console_cluster_init (SudaConsoleCluster *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self, "map", G_CALLBACK (map_changed_cb), self);
  g_signal_connect_swapped (self, "unmap", G_CALLBACK (map_changed_cb), self);
  update (self);
}

void
suda_console_cluster_set_host (SudaConsoleCluster *self,
                               SudaServerHost     *host)
{
  g_return_if_fail (SUDA_IS_CONSOLE_CLUSTER (self));
  g_return_if_fail (host == NULL || SUDA_IS_SERVER_HOST (host));
  if (self->host != NULL)
    {
      suda_server_host_set_cluster_watched (self->host, FALSE);
      g_signal_handlers_disconnect_by_data (self->host, self);
    }
  g_set_object (&self->host, host);
  if (host != NULL)
    {
      g_signal_connect_swapped (host, "notify::running", G_CALLBACK (update), self);
      g_signal_connect_swapped (host, "notify::cluster", G_CALLBACK (update), self);
      map_changed_cb (self);
    }
  update (self);
}

void
suda_console_cluster_set_base_config (SudaConsoleCluster     *self,
                                      const SudaServerConfig *config)
{
  g_return_if_fail (SUDA_IS_CONSOLE_CLUSTER (self));
  g_clear_pointer (&self->base_config, suda_server_config_free);
  self->base_config = config ? suda_server_config_copy (config) : NULL;
  update_configured (self);
}

gboolean
suda_console_cluster_get_configured (SudaConsoleCluster *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_CLUSTER (self), FALSE);
  return self->configured;
}

AdwActionRow *
suda_console_cluster_get_redis_row (SudaConsoleCluster *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_CLUSTER (self), NULL);
  return self->redis_row;
}

GtkListBox *
suda_console_cluster_get_servers (SudaConsoleCluster *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_CLUSTER (self), NULL);
  return self->servers_list;
}
