/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The connect view's ways in without typing an address: "Chats on this
 * network" (announced with mDNS) and an irc:// invite link pasted into
 * the server field. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-application.h"
#include "suda-certificate.h"
#include "suda-lan-browser.h"
#include "suda-lan-list.h"
#include "suda-window-private.h"

static gboolean
is_disconnected (gpointer            this,
                 SudaConnectionState state)
{
  return state == SUDA_CONNECTION_DISCONNECTED;
}

static void
open_chat (SudaWindow  *self,
           SudaLanChat *chat)
{
  guint16 tls_port = suda_lan_chat_get_tls_port (chat);
  guint16 port = tls_port ? tls_port : suda_lan_chat_get_port (chat);

  /* Connecting without the password would only be refused: the form is
   * filled and waits for it. */
  if (suda_lan_chat_get_password (chat))
    {
      suda_window_set_tls (self, tls_port != 0);
      suda_window_fill_form (self, suda_lan_chat_get_host (chat), port, NULL,
                             suda_lan_chat_get_room (chat));
      _suda_window_show_error (self, _("This chat needs a password: ask for it, type it and connect."));
      gtk_widget_grab_focus (self->password_entry);
      return;
    }
  suda_window_open_address (self, suda_lan_chat_get_host (chat), port, tls_port != 0, NULL,
                            suda_lan_chat_get_room (chat));
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SudaWindow       *self)
{
  SudaLanChat *chat = g_object_get_data (G_OBJECT (dialog), "chat");
  SudaTrustStore *store = suda_connection_get_trust_store (suda_window_get_connection (self));
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "trust") != 0)
    return;
  if (!suda_trust_store_pin (store, suda_lan_chat_get_host (chat), suda_lan_chat_get_tls_port (chat),
                             suda_lan_chat_get_fingerprint (chat), &error))
    {
      _suda_window_show_error (self, error->message);
      return;
    }
  open_chat (self, chat);
}

/* The fingerprint came over the network, where anyone may announce
 * anything: it is trusted only once the person has compared it with the
 * one the teacher's screen shows. */
static void
ask_trust (SudaWindow  *self,
           SudaLanChat *chat)
{
  g_autofree char *shown = suda_certificate_format_fingerprint (suda_lan_chat_get_fingerprint (chat));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Trust This Chat’s Certificate?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” uses a certificate of its own, with this fingerprint "
                                    "(SHA-256):\n\n%s\n\nTrust it only if the screen of the computer "
                                    "running the chat shows the same fingerprint."),
                                  suda_lan_chat_get_name (chat), shown);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust and Connect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "chat", g_object_ref (chat), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
chat_activated_cb (SudaLanList *list,
                   SudaLanChat *chat,
                   SudaWindow  *self)
{
  const char *fingerprint = suda_lan_chat_get_fingerprint (chat);
  guint16 tls_port = suda_lan_chat_get_tls_port (chat);
  SudaTrustStore *store = suda_connection_get_trust_store (suda_window_get_connection (self));

  if (tls_port != 0 && fingerprint != NULL &&
      suda_trust_store_check (store, suda_lan_chat_get_host (chat), tls_port, fingerprint) == SUDA_TRUST_UNKNOWN)
    ask_trust (self, chat);
  else
    open_chat (self, chat);
}

static void
availability_cb (SudaLanBrowser *browser,
                 GParamSpec     *pspec,
                 SudaLanList    *list)
{
  suda_lan_list_set_available (list, suda_lan_browser_get_available (browser),
                               suda_lan_browser_get_problem (browser));
}

/* An invite link (irc://HOST:PORT/#room, from the console's join window)
 * pasted or typed into the server field fills the form with it. */
static void
server_changed_cb (GtkEditable *entry,
                   SudaWindow  *self)
{
  const char *text = gtk_editable_get_text (entry);
  g_autofree char *host = NULL;
  g_autofree char *room = NULL;
  guint16 port = 0;

  if (!g_str_has_prefix (text, "irc://") && !g_str_has_prefix (text, "ircs://"))
    return;
  if (!suda_parse_irc_uri (text, &host, &port, &room, NULL))
    return;
  suda_window_set_tls (self, suda_irc_uri_is_tls (text));
  suda_window_fill_form (self, host, port, NULL, room ? room : "");
}

void
_suda_window_lan_init (SudaWindow *self)
{
  g_autoptr(SudaLanBrowser) browser = suda_lan_browser_new ();
  SudaLanList *list = suda_lan_list_new (G_LIST_MODEL (browser));
  GtkExpression *connection = gtk_property_expression_new (SUDA_TYPE_WINDOW, NULL, "connection");
  GtkExpression *state = gtk_property_expression_new (SUDA_TYPE_CONNECTION, connection, "state");
  GtkExpression *visible = gtk_cclosure_expression_new (G_TYPE_BOOLEAN, NULL, 1, &state,
                                                        G_CALLBACK (is_disconnected), NULL, NULL);

  gtk_widget_insert_after (GTK_WIDGET (list), gtk_widget_get_parent (self->connect_form),
                           self->connect_form);
  /* Only while the shown server is not connected: it is a way in. */
  gtk_expression_bind (visible, list, "visible", self);
  g_signal_connect_object (list, "chat-activated", G_CALLBACK (chat_activated_cb), self, 0);
  g_signal_connect_object (browser, "notify::available", G_CALLBACK (availability_cb), list, 0);
  availability_cb (browser, NULL, list);
  g_signal_connect_object (self->server_entry, "changed", G_CALLBACK (server_changed_cb), self, 0);
}
