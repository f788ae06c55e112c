/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Join the chat": the web page's address for phones, and the invite
 * links for IRC apps, each a QR code big enough to scan from the back of
 * a classroom; full screen for the projector. */
#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <glib/gi18n-lib.h>

#include "suda-console-join-window.h"
#include "suda-qr-code.h"

/* Pixels per module: a short URL's code is then about 300 px, and the
 * picture scales it up with the window. */
#define MODULE_PX 8

struct _SudaConsoleJoinWindow
{
  AdwWindow   parent_instance;

  /* Template widgets */
  GtkPicture *code_picture;
  GtkLabel   *url_label;
  GtkLabel   *hint_label;
  GtkListBox *link_list;
  GtkButton  *fullscreen_button;

  /* State */
  gboolean    full_screen;    /* asked for, or the window manager says so */

  /* Owned */
  GdkTexture *code;
  char       *shown;
  GPtrArray  *links;      /* the rows' addresses, in their order */
  char       *web_hint;
};

G_DEFINE_FINAL_TYPE (SudaConsoleJoinWindow, suda_console_join_window, ADW_TYPE_WINDOW)

static gboolean
show_link (SudaConsoleJoinWindow  *self,
           const char             *link,
           GError                **error)
{
  g_autoptr(GdkTexture) code = suda_qr_code_new_texture (link, MODULE_PX, error);

  if (code == NULL)
    return FALSE;
  g_set_object (&self->code, code);
  g_free (self->shown);
  self->shown = g_strdup (link);
  gtk_picture_set_paintable (self->code_picture, GDK_PAINTABLE (self->code));
  gtk_label_set_text (self->url_label, link);
  gtk_label_set_text (self->hint_label, g_str_has_prefix (link, "irc") && self->web_hint != NULL
                      ? _("Open Suda (or another IRC app) on a computer of the same network and paste "
                          "the link into its server field, or scan the code.")
                      : self->web_hint);
  return TRUE;
}

static void
link_activated_cb (GtkListBox            *list,
                   GtkListBoxRow         *row,
                   SudaConsoleJoinWindow *self)
{
  g_autoptr(GError) error = NULL;
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->links->len &&
      !show_link (self, g_ptr_array_index (self->links, index), &error))
    gtk_label_set_text (self->hint_label, error->message);
}

static void
copy_clicked_cb (GtkButton *button,
                 const char *link)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), link);
}

static void
add_row (SudaConsoleJoinWindow *self,
         const char            *link,
         const char            *what)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  char *kept = g_strdup (link);

  g_ptr_array_add (self->links, kept);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), link);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), what);
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "flat");
  gtk_widget_set_tooltip_text (copy, _("Copy the Link"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy the Link"), -1);
  /* The string lives in self->links as long as the row. */
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_clicked_cb), kept);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Show Its QR Code"));
  gtk_list_box_append (self->link_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->link_list), TRUE);
}

static void
set_full_screen (SudaConsoleJoinWindow *self,
                 gboolean               full)
{
  self->full_screen = full;
  gtk_button_set_icon_name (self->fullscreen_button, full ? "view-restore-symbolic" : "view-fullscreen-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fullscreen_button),
                               full ? _("Leave Full Screen (Escape)") : _("Show Full Screen (Escape Leaves)"));
  if (full)
    gtk_window_fullscreen (GTK_WINDOW (self));
  else
    gtk_window_unfullscreen (GTK_WINDOW (self));
}

/* Escape leaves full screen first, and closes the window only then. */
static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SudaConsoleJoinWindow *self = SUDA_CONSOLE_JOIN_WINDOW (widget);

  if (self->full_screen)
    set_full_screen (self, FALSE);
  else
    gtk_window_close (GTK_WINDOW (widget));
}

static void
toggle_fullscreen_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  SudaConsoleJoinWindow *self = SUDA_CONSOLE_JOIN_WINDOW (widget);

  set_full_screen (self, !self->full_screen);
}

/* The window manager's word (F11 of its own, or a refusal) wins; what
 * was asked counts until it speaks, as where there is none. */
static void
fullscreened_cb (SudaConsoleJoinWindow *self)
{
  gboolean full = gtk_window_is_fullscreen (GTK_WINDOW (self));

  if (full != self->full_screen)
    set_full_screen (self, full);
}

static void
suda_console_join_window_dispose (GObject *object)
{
  SudaConsoleJoinWindow *self = SUDA_CONSOLE_JOIN_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SUDA_TYPE_CONSOLE_JOIN_WINDOW);
  g_clear_object (&self->code);
  G_OBJECT_CLASS (suda_console_join_window_parent_class)->dispose (object);
}

static void
suda_console_join_window_finalize (GObject *object)
{
  SudaConsoleJoinWindow *self = SUDA_CONSOLE_JOIN_WINDOW (object);

  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_clear_pointer (&self->shown, g_free);
  g_clear_pointer (&self->web_hint, g_free);
  G_OBJECT_CLASS (suda_console_join_window_parent_class)->finalize (object);
}

static void
suda_console_join_window_class_init (SudaConsoleJoinWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = suda_console_join_window_dispose;
  object_class->finalize = suda_console_join_window_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/chat/suda/Server/suda-console-join-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, code_picture);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, url_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, hint_label);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, link_list);
  gtk_widget_class_bind_template_child (widget_class, SudaConsoleJoinWindow, fullscreen_button);
  gtk_widget_class_bind_template_callback (widget_class, link_activated_cb);
  gtk_widget_class_install_action (widget_class, "join.toggle-fullscreen", NULL, toggle_fullscreen_action);
  gtk_widget_class_install_action (widget_class, "join.escape", NULL, escape_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "join.escape", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "join.toggle-fullscreen", NULL);
}

static void
suda_console_join_window_init (SudaConsoleJoinWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->links = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (fullscreened_cb), NULL);
}

SudaConsoleJoinWindow *
suda_console_join_window_new (GtkWindow   *parent,
                              const char  *url,
                              GError     **error)
{
  g_autoptr(GdkTexture) code = NULL;
  SudaConsoleJoinWindow *self;

  g_return_val_if_fail (url != NULL, NULL);

  /* Tried before there is a window to take down again. */
  code = suda_qr_code_new_texture (url, MODULE_PX, error);
  if (code == NULL)
    return NULL;
  self = g_object_new (SUDA_TYPE_CONSOLE_JOIN_WINDOW, "transient-for", parent, NULL);
  self->web_hint = g_strdup (gtk_label_get_text (self->hint_label));
  show_link (self, url, NULL);
  add_row (self, url, _("Web page, for a phone’s browser"));
  return self;
}

/* The machine's IPv4 addresses on interfaces that are up, loopback last:
 * what students on the classroom's network can reach. */
static GPtrArray *
dup_addresses (void)
{
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return addresses;
  for (struct ifaddrs *it = list; it != NULL; it = it->ifa_next)
    {
      g_autoptr(GInetAddress) inet = NULL;

      if (it->ifa_addr == NULL || it->ifa_addr->sa_family != AF_INET ||
          (it->ifa_flags & IFF_UP) == 0 || (it->ifa_flags & IFF_LOOPBACK) != 0)
        continue;
      inet = g_inet_address_new_from_bytes ((const guint8 *) &((struct sockaddr_in *) it->ifa_addr)->sin_addr,
                                            G_SOCKET_FAMILY_IPV4);
      g_ptr_array_add (addresses, g_inet_address_to_string (inet));
    }
  freeifaddrs (list);
  return addresses;
}

static gboolean
listens_everywhere (const char *listen)
{
  return listen == NULL || *listen == '\0' || g_str_equal (listen, "*") ||
         g_str_equal (listen, "0.0.0.0") || g_str_equal (listen, "::");
}

static void
add_invite (SudaConsoleJoinWindow *self,
            const char            *host,
            gboolean               tls,
            guint16                port,
            const char            *room)
{
  g_autofree char *link = NULL;
  gboolean ipv6 = strchr (host, ':') != NULL;

  link = g_strdup_printf ("%s://%s%s%s:%u/%s", tls ? "ircs" : "irc", ipv6 ? "[" : "", host,
                          ipv6 ? "]" : "", port, room ? room : "");
  add_row (self, link, tls ? _("Invite link for Suda and other IRC apps (secure)")
                           : _("Invite link for Suda and other IRC apps"));
}

void
suda_console_join_window_add_invites (SudaConsoleJoinWindow  *self,
                                      const SudaServerConfig *config,
                                      guint16                 port,
                                      guint16                 tls_port)
{
  const char *listen;
  const char *room;
  g_autofree char *local_name = NULL;
  gboolean tls = tls_port != 0;
  guint16 used = tls ? tls_port : port;

  g_return_if_fail (SUDA_IS_CONSOLE_JOIN_WINDOW (self));
  g_return_if_fail (config != NULL);

  if (used == 0)
    return;
  listen = tls && config->tls_listen && *config->tls_listen ? config->tls_listen : config->listen_address;
  room = config->default_channel;
  if (!listens_everywhere (listen))
    {
      add_invite (self, listen, tls, used, room);
      return;
    }
  {
    g_autoptr(GPtrArray) addresses = dup_addresses ();

    for (guint i = 0; i < addresses->len; i++)
      add_invite (self, g_ptr_array_index (addresses, i), tls, used, room);
  }
  /* The name Avahi announces the machine under, for a network whose
   * addresses change. */
  local_name = g_strdup_printf ("%s.local", g_get_host_name ());
  add_invite (self, local_name, tls, used, room);
}

GdkTexture *
suda_console_join_window_get_code (SudaConsoleJoinWindow *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_JOIN_WINDOW (self), NULL);
  return self->code;
}

const char *
suda_console_join_window_get_shown (SudaConsoleJoinWindow *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_JOIN_WINDOW (self), NULL);
  return self->shown;
}

GStrv
suda_console_join_window_dup_links (SudaConsoleJoinWindow *self)
{
  GStrvBuilder *builder;
  GStrv links;

  g_return_val_if_fail (SUDA_IS_CONSOLE_JOIN_WINDOW (self), NULL);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->links->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->links, i));
  links = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return links;
}

gboolean
suda_console_join_window_get_full_screen (SudaConsoleJoinWindow *self)
{
  g_return_val_if_fail (SUDA_IS_CONSOLE_JOIN_WINDOW (self), FALSE);
  return self->full_screen;
}
