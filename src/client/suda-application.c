/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-application.h"
#include "suda-server-list.h"
#include "suda-window.h"

struct _SudaApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  SudaServerList *servers;      /* every window's sessions */
  char           *cli_nick;     /* --nick, for this instance's first window */
};

G_DEFINE_FINAL_TYPE (SudaApplication, suda_application, ADW_TYPE_APPLICATION)

/* irc://HOST[:PORT][/[#]ROOM], the form the DESIGN's command line takes,
 * or ircs:// for TLS (port 6697 unless given).  "irc://host/#room" puts
 * the room in the fragment, so both places count. */
gboolean
suda_parse_irc_uri (const char  *uri,
                    char       **host,
                    guint16     *port,
                    char       **room,
                    GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  const char *path, *fragment, *name = NULL;

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, error);
  if (parsed == NULL)
    return FALSE;
  if ((g_strcmp0 (g_uri_get_scheme (parsed), "irc") != 0 && !suda_irc_uri_is_tls (uri)) ||
      g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an address of the form irc://HOST[:PORT]/ROOM or ircs://HOST[:PORT]/ROOM"), uri);
      return FALSE;
    }
  *host = g_strdup (g_uri_get_host (parsed));
  if (g_uri_get_port (parsed) > 0)
    *port = g_uri_get_port (parsed);
  else
    *port = suda_irc_uri_is_tls (uri) ? 6697 : 6667;

  path = g_uri_get_path (parsed);
  fragment = g_uri_get_fragment (parsed);
  if (path != NULL && path[0] == '/' && path[1] != '\0')
    name = path + 1;
  else if (fragment != NULL && *fragment != '\0')
    name = fragment;
  if (name == NULL)
    *room = NULL;
  else if (name[0] == '#')
    *room = g_strdup (name);
  else
    *room = g_strconcat ("#", name, NULL);
  return TRUE;
}

gboolean
suda_irc_uri_is_tls (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return g_strcmp0 (g_uri_peek_scheme (uri), "ircs") == 0;
}

static void
on_window_destroy (SudaWindow      *window,
                   SudaApplication *self)
{
  suda_server_list_remove (self->servers, suda_window_get_client (window));
}

static SudaWindow *
ensure_window (SudaApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (suda_window_new (GTK_APPLICATION (self), self->settings));
      /* The servers of the last session, before any address given now. */
      suda_window_restore_servers (SUDA_WINDOW (window));
      if (self->cli_nick != NULL)
        suda_window_fill_form (SUDA_WINDOW (window), NULL, 0, self->cli_nick, NULL);
      /* Today a window has one session; the list is what several servers
       * in one window (issue 13) will be shown from. */
      suda_server_list_add (self->servers, suda_window_get_client (SUDA_WINDOW (window)));
      g_signal_connect_object (window, "destroy", G_CALLBACK (on_window_destroy), self, 0);
    }
  return SUDA_WINDOW (window);
}

static void
suda_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ensure_window (SUDA_APPLICATION (app))));
}

static void
suda_application_open (GApplication  *app,
                       GFile        **files,
                       int            n_files,
                       const char    *hint)
{
  SudaApplication *self = SUDA_APPLICATION (app);
  SudaWindow *window = ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *uri = g_file_get_uri (files[i]);
      g_autofree char *host = NULL;
      g_autofree char *room = NULL;
      g_autoptr(GError) error = NULL;
      guint16 port;

      if (!suda_parse_irc_uri (uri, &host, &port, &room, &error))
        {
          g_printerr ("suda: %s\n", error->message);
          continue;
        }
      /* An address on the command line means "connect now", to that
       * server with that nickname and room, beside the other servers
       * (issue 13, bug 4). */
      suda_window_open_address (window, host, port, suda_irc_uri_is_tls (uri), self->cli_nick, room);
      break;
    }
}

static int
suda_application_handle_local_options (GApplication *app,
                                       GVariantDict *options)
{
  SudaApplication *self = SUDA_APPLICATION (app);

  g_variant_dict_lookup (options, "nick", "s", &self->cli_nick);
  return -1;   /* go on as usual */
}

/* --nick is read in the process it was given to, but a second `suda`
 * hands its address to the first one: the nickname travels with it as
 * platform data, and each launch's nickname (or none) replaces the last. */
static void
suda_application_add_platform_data (GApplication    *app,
                                    GVariantBuilder *builder)
{
  SudaApplication *self = SUDA_APPLICATION (app);

  G_APPLICATION_CLASS (suda_application_parent_class)->add_platform_data (app, builder);
  if (self->cli_nick != NULL)
    g_variant_builder_add (builder, "{sv}", "suda-nick", g_variant_new_string (self->cli_nick));
}

static void
suda_application_before_emit (GApplication *app,
                              GVariant     *platform_data)
{
  SudaApplication *self = SUDA_APPLICATION (app);

  G_APPLICATION_CLASS (suda_application_parent_class)->before_emit (app, platform_data);
  g_clear_pointer (&self->cli_nick, g_free);
  g_variant_lookup (platform_data, "suda-nick", "s", &self->cli_nick);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Closing through the window saves its size and says goodbye to the server. */
  for (GList *l = windows; l != NULL; )
    {
      GList *next = l->next;

      gtk_window_close (l->data);
      l = next;
    }
  g_application_quit (G_APPLICATION (app));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Suda developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Suda"),
                         "application-icon", "chat.suda.Suda",
                         "version", PACKAGE_VERSION,
                         "comments", _("Chat with your class, lab or team"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
show_conversation_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  SudaApplication *self = user_data;
  SudaWindow *window = ensure_window (self);
  SudaConversation *conv;

  conv = suda_client_find_conversation (suda_window_get_client (window),
                                        g_variant_get_string (parameter, NULL));
  if (conv != NULL)
    suda_window_show_conversation (window, conv);
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "show-conversation", show_conversation_action, "s" },
};

static void
suda_application_startup (GApplication *app)
{
  SudaApplication *self = SUDA_APPLICATION (app);
  g_autoptr(GAction) keep = NULL;
  g_autoptr(GAction) colors = NULL;
  static const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.leave", { "<Control>w", NULL } },
    { "win.jump-to-conversation", { "<Control>k", NULL } },
    { "win.find", { "<Control>f", NULL } },
    { "win.close-search", { "Escape", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (suda_application_parent_class)->startup (app);

  self->settings = g_settings_new ("chat.suda.Suda");
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  keep = g_settings_create_action (self->settings, "keep-transcripts");
  g_action_map_add_action (G_ACTION_MAP (app), keep);
  colors = g_settings_create_action (self->settings, "show-colors");
  g_action_map_add_action (G_ACTION_MAP (app), colors);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
suda_application_finalize (GObject *object)
{
  SudaApplication *self = SUDA_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->servers);
  g_clear_pointer (&self->cli_nick, g_free);
  G_OBJECT_CLASS (suda_application_parent_class)->finalize (object);
}

static void
suda_application_class_init (SudaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = suda_application_finalize;
  app_class->activate = suda_application_activate;
  app_class->open = suda_application_open;
  app_class->startup = suda_application_startup;
  app_class->handle_local_options = suda_application_handle_local_options;
  app_class->add_platform_data = suda_application_add_platform_data;
  app_class->before_emit = suda_application_before_emit;
}

static void
suda_application_init (SudaApplication *self)
{
  static const GOptionEntry options[] = {
    { "nick", 'n', 0, G_OPTION_ARG_STRING, NULL, N_("Nickname to use"), N_("NICK") },
    { NULL }
  };

  self->servers = suda_server_list_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[irc://HOST[:PORT]/ROOM | ircs://HOST[:PORT]/ROOM]"));
}

/* The sessions of every server the application is on: a GListModel of
 * SudaClient. */
GListModel *
suda_application_get_servers (SudaApplication *self)
{
  g_return_val_if_fail (SUDA_IS_APPLICATION (self), NULL);
  return G_LIST_MODEL (self->servers);
}

SudaApplication *
suda_application_new (void)
{
  return g_object_new (SUDA_TYPE_APPLICATION,
                       "application-id", "chat.suda.Suda",
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/chat/suda/Suda",
                       NULL);
}
