/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SudaConnection's registration: CAP negotiation, NICK and USER, the
 * welcome, and the keepalive that starts with it. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-connection-private.h"
#include "suda-limits.h"

static const char * const wanted_caps[] = {
  "server-time", "echo-message", "batch", "message-tags", "multi-prefix", "away-notify",
  "draft/account-registration", "draft/chathistory", "draft/read-marker",
};

static void
add_caps (GHashTable *caps,
          const char *list,
          gboolean    strip_values)
{
  g_auto(GStrv) names = g_strsplit (list ? list : "", " ", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      char *eq = strip_values ? strchr (names[i], '=') : NULL;

      if (eq != NULL)
        *eq = '\0';
      if (!strip_values && names[i][0] == '-')
        g_hash_table_remove (caps, names[i] + 1);
      else if (names[i][0] != '\0' && g_hash_table_size (caps) < SUDA_CLIENT_MAX_CAPS)
        g_hash_table_add (caps, g_strdup (names[i]));
    }
}

static void
request_caps (SudaConnection *self)
{
  g_autoptr(GString) request = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (wanted_caps); i++)
    if (g_hash_table_contains (self->caps_offered, wanted_caps[i]))
      g_string_append_printf (request, "%s%s", request->len ? " " : "", wanted_caps[i]);
  if (g_hash_table_contains (self->caps_offered, "sasl"))
    {
      if (_suda_connection_wants_sasl (self))
        g_string_append_printf (request, "%ssasl", request->len ? " " : "");
    }
  else if (self->account != NULL)
    _suda_connection_emit_error (self, SUDA_CONNECTION_ERROR_LOGIN,
                                 _("This server has no accounts to log in to; you are connected without logging in."));
  if (request->len > 0)
    _suda_connection_send_now (self, "CAP", "REQ", request->str, NULL);
  else
    _suda_connection_send_now (self, "CAP", "END", NULL);
}

/* "sts=port=6697,duration=…" in a CAP LS list: TRUE when it sent us to
 * a TLS port, and this connection is over. */
static gboolean
find_sts (SudaConnection *self,
          const char     *list)
{
  g_auto(GStrv) names = g_strsplit (list ? list : "", " ", -1);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], "sts="))
      return _suda_connection_handle_sts (self, names[i] + 4);
  return FALSE;
}

/* CAP LS (perhaps in several lines), ACK and NAK (IRCv3 capability
 * negotiation, version 302). */
gboolean
_suda_connection_handle_cap (SudaConnection       *self,
                             const SudaIrcMessage *msg,
                             SudaIrcEvent         *event)
{
  const char *sub = suda_irc_message_param (msg, 1);
  gboolean more;
  const char *list;

  if (sub == NULL)
    return FALSE;
  more = msg->n_params >= 4 && strcmp (msg->params[2], "*") == 0;
  list = suda_irc_message_param (msg, more ? 3 : 2);

  if (g_ascii_strcasecmp (sub, "LS") == 0)
    {
      if (find_sts (self, list))
        return FALSE;
      add_caps (self->caps_offered, list, TRUE);
      if (!more)
        request_caps (self);
    }
  else if (g_ascii_strcasecmp (sub, "ACK") == 0)
    {
      add_caps (self->caps_enabled, list, FALSE);
      /* SASL comes between the ACK and CAP END. */
      if (self->state == SUDA_CONNECTION_REGISTERING && !more && !_suda_connection_start_sasl (self))
        _suda_connection_send_now (self, "CAP", "END", NULL);
    }
  else if (g_ascii_strcasecmp (sub, "NAK") == 0)
    {
      if (self->state == SUDA_CONNECTION_REGISTERING)
        _suda_connection_send_now (self, "CAP", "END", NULL);
    }
  return FALSE;
}

static gboolean
on_keepalive (gpointer user_data)
{
  SudaConnection *self = user_data;
  gint64 now = _suda_connection_now (self);

  if (self->ping_sent != 0 && now - self->ping_sent > KEEPALIVE_TIMEOUT_S * G_USEC_PER_SEC)
    {
      g_debug ("no answer to our PING: the connection is dead");
      self->keepalive_id = 0;
      _suda_connection_close_socket (self);
      _suda_connection_handle_loss (self);
      return G_SOURCE_REMOVE;
    }
  if (self->ping_sent == 0 && now - self->last_received > KEEPALIVE_IDLE_S * G_USEC_PER_SEC)
    {
      self->ping_sent = now;
      _suda_connection_send_now (self, "PING", "suda-keepalive", NULL);
    }
  return G_SOURCE_CONTINUE;
}

/* 001: we are in.  Rooms come back first, then whatever was typed while
 * away. */
gboolean
_suda_connection_handle_welcome (SudaConnection       *self,
                                 const SudaIrcMessage *msg,
                                 SudaIrcEvent         *event)
{
  g_autoptr(GPtrArray) rejoin = g_ptr_array_new_with_free_func (g_free);

  _suda_connection_clear_timeout (self, &self->timeout_id);
  _suda_connection_set_current_nick (self, msg->params[0]);
  self->reconnect_attempt = 0;
  self->ever_registered = TRUE;
  self->tokens = SEND_BURST;
  self->ping_sent = 0;
  _suda_connection_clear_timeout (self, &self->keepalive_id);
  self->keepalive_id = _suda_connection_add_timeout (self, KEEPALIVE_CHECK_S * 1000, on_keepalive);
  _suda_connection_set_state (self, SUDA_CONNECTION_CONNECTED);

  event->kind = SUDA_IRC_EVENT_REGISTERED;
  event->time = g_get_real_time ();
  g_clear_pointer (&event->nick, g_free);
  event->own = FALSE;
  event->target = g_strdup (self->nick);
  event->text = g_strdup (suda_irc_message_param (msg, 1));
  _suda_connection_emit_event (self, event);

  for (guint i = 0; i + 1 < self->channels->len; i++)
    g_ptr_array_add (rejoin, g_strdup (g_ptr_array_index (self->channels, i)));
  for (guint i = rejoin->len; i > 0; i--)
    g_queue_push_head (&self->held, g_strdup_printf ("JOIN %s", (char *) g_ptr_array_index (rejoin, i - 1)));
  _suda_connection_release_held (self);
  return FALSE;   /* emitted before the rejoins go out */
}

/* The login name as an IRC user name: letters and digits only, since
 * servers reject or mangle the rest. */
static char *
dup_user_name (void)
{
  GString *user = g_string_new (NULL);

  for (const char *p = g_get_user_name (); *p && user->len < 10; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (user, *p);
  if (user->len == 0)
    g_string_append (user, "suda");
  return g_string_free (user, FALSE);
}

void
_suda_connection_register (SudaConnection *self)
{
  g_autofree char *user = NULL;

  g_return_if_fail (SUDA_IS_CONNECTION (self));
  g_return_if_fail (self->wanted_nick != NULL);

  _suda_connection_set_state (self, SUDA_CONNECTION_REGISTERING);

  /* The registration itself gets the same time again to finish. */
  _suda_connection_clear_timeout (self, &self->timeout_id);
  self->timeout_id = _suda_connection_add_timeout (self, self->connect_timeout_ms * 2,
                                                   _suda_connection_on_connect_timeout);

  self->nick_attempt = 0;
  g_clear_pointer (&self->service_nick, g_free);
  self->last_received = _suda_connection_now (self);
  _suda_connection_send_now (self, "CAP", "LS", "302", NULL);
  if (self->password != NULL && *self->password != '\0')
    _suda_connection_send_now (self, "PASS", self->password, NULL);
  _suda_connection_send_now (self, "NICK", self->wanted_nick, NULL);
  user = dup_user_name ();
  _suda_connection_send_now (self, "USER", user, "0", "*", g_get_real_name (), NULL);
}
