/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PRIVMSG, NOTICE and TAGMSG: who may send where, then delivery; "!word"
 * lines and private messages to the service user go on to it. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"
#include "service/suda-service-private.h"

static gboolean
may_send (SudaClient  *c,
          SudaChannel *channel)
{
  SudaMember *member = suda_channel_find_member (channel, c);

  if (member == NULL && (channel->modes & SUDA_CHANNEL_NO_EXTERNAL))
    return FALSE;
  if ((channel->modes & SUDA_CHANNEL_MODERATED) && (member == NULL || member->flags == 0))
    return FALSE;
  /* A ban keeps a member's voice down too (as ngircd does), unless op or voice. */
  if (channel->bans && (member == NULL || member->flags == 0) &&
      (_suda_irc_is_banned (channel, c) || _suda_irc_is_muted (channel, c)))
    return FALSE;
  return TRUE;
}

gboolean
_suda_irc_may_send (SudaClient  *client,
                    SudaChannel *channel)
{
  return may_send (client, channel);
}

static void
to_channel (SudaClient  *c,
            SudaOutLine *line,
            gboolean     notice)
{
  SudaChannel *channel = _suda_registry_find_channel (c->core->registry, line->target);

  if (channel == NULL)
    {
      if (!notice)
        _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, line->target, NULL);
      return;
    }
  if (!may_send (c, channel))
    {
      if (!notice)
        _suda_irc_reply (c, SUDA_ERR_CANNOTSENDTOCHAN, channel->name, NULL);
      return;
    }
  _suda_delivery_message (c->core->delivery, line, channel,
                          (c->caps & SUDA_CAP_ECHO_MESSAGE) ? NULL : c);
  if (!notice && line->text[0] == '!' && c->core->service)
    _suda_service_handle_message (c->core->service, c, channel->name, line->text);
}

/* STATUSMSG: "@#room" reaches the room's operators, "+#room" its voiced
 * members too.  Logged, but kept out of the history everyone is replayed. */
static void
to_status (SudaClient  *c,
           SudaOutLine *line,
           gboolean     notice)
{
  SudaChannel *channel = _suda_registry_find_channel (c->core->registry, line->target + 1);
  guint wanted = line->target[0] == '@' ? SUDA_MEMBER_OP : SUDA_MEMBER_OP | SUDA_MEMBER_VOICE;
  g_autofree char *target = NULL;
  g_autofree char *msgid = NULL;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (channel == NULL || !may_send (c, channel))
    {
      if (!notice)
        _suda_irc_reply (c, channel ? SUDA_ERR_CANNOTSENDTOCHAN : SUDA_ERR_NOSUCHCHANNEL, line->target, NULL);
      return;
    }
  target = g_strdup_printf ("%c%s", line->target[0], channel->name);
  msgid = _suda_registry_next_msgid (c->core->registry);
  line->target = target;
  line->msgid = msgid;
  entry = suda_log_entry_new (line->time, notice ? "notice" : "message", channel->name, c->nick, line->text);
  suda_log_entry_set_field (entry, "status", target[0] == '@' ? "@" : "+");
  suda_log_entry_set_field (entry, "msgid", msgid);
  _suda_delivery_log (c->core->delivery, entry);
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaMember *member = &g_array_index (channel->members, SudaMember, i);

      if ((member->flags & wanted) == 0 && member->client != c)
        continue;
      if (member->client == c && !(c->caps & SUDA_CAP_ECHO_MESSAGE))
        continue;
      _suda_delivery_send_line (line, member->client);
    }
  _suda_delivery_out_line_clear (line);
}

static void
to_person (SudaClient  *c,
           SudaOutLine *line,
           gboolean     notice)
{
  SudaClient *to = _suda_registry_find_client (c->core->registry, line->target);
  SudaRemoteUser *remote = to ? NULL : _suda_registry_find_remote (c->core->registry, line->target);

  if (remote != NULL)
    {
      /* [cluster]: its server logs and sends it; the echo goes out here. */
      _suda_delivery_whisper_remote (c->core->delivery, line, remote->nick,
                                     (c->caps & SUDA_CAP_ECHO_MESSAGE) ? c : NULL);
      return;
    }
  if (to == NULL || !to->registered)
    {
      if (!notice)
        _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, line->target, NULL);
      return;
    }
  /* A note to oneself arrives once, echo-message or not. */
  _suda_delivery_whisper (c->core->delivery, line, to,
                          (c->caps & SUDA_CAP_ECHO_MESSAGE) && to != c ? c : NULL);
  if (!notice && to->away)
    _suda_irc_replyf (c, "301", "%s :%s", to->nick, to->away);
}

/* One target of PRIVMSG or NOTICE (NOTICE never gets an error back). */
void
_suda_irc_deliver_message (SudaClient *c,
                           const char *command,
                           const char *target,
                           const char *text,
                           const char *client_tags)
{
  gboolean notice = g_str_equal (command, "NOTICE");
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = command, .target = target, .text = text,
                       .client_tags = client_tags, .bot = c->bot, .account = c->account };

  if (suda_irc_is_channel (target))
    to_channel (c, &line, notice);
  else if ((target[0] == '@' || target[0] == '+') && suda_irc_is_channel (target + 1))
    to_status (c, &line, notice);
  else if (c->core->service && _suda_registry_is_service (c->core->registry, target))
    {
      /* The service user's replies come as its own messages: this one is
       * only echoed, and not logged. */
      if (c->caps & SUDA_CAP_ECHO_MESSAGE)
        _suda_delivery_to_client (c->core->delivery, NULL, &line, c);
      if (!notice)
        _suda_service_handle_message (c->core->service, c, NULL, text);
    }
  else
    to_person (c, &line, notice);
}

/* Client-only tags (+name=value) are relayed to message-tags clients;
 * anything else a client puts in tags is dropped. */
static char *
filter_client_tags (const char *tags)
{
  g_auto(GStrv) parts = NULL;
  GString *out;

  if (tags == NULL)
    return NULL;
  out = g_string_new (NULL);
  parts = g_strsplit (tags, ";", 64);
  for (guint i = 0; parts[i]; i++)
    {
      const char *tag = parts[i];
      const char *p;

      if (tag[0] != '+' || tag[1] == '\0')
        continue;
      for (p = tag + 1; *p && *p != '='; p++)
        if (!g_ascii_isalnum (*p) && !strchr ("-./", *p))
          break;
      if (*p != '\0' && *p != '=')
        continue;
      if (out->len + (out->len ? 1 : 0) + strlen (tag) > SUDA_IRC_MAX_CLIENT_TAGS)
        break;
      if (out->len)
        g_string_append_c (out, ';');
      g_string_append (out, tag);
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
message_command (SudaClient     *c,
                 SudaIrcMessage *m,
                 const char     *command)
{
  gboolean notice = g_str_equal (command, "NOTICE");
  guint max_targets = c->core->config->max_targets;
  g_auto(GStrv) targets = NULL;
  g_autofree char *client_tags = NULL;
  guint n;

  if (m->n_params < 1 || *m->params[0] == '\0')
    {
      if (!notice)
        _suda_irc_replyf (c, "411", ":%s (%s)", _suda_irc_text (SUDA_ERR_NORECIPIENT), command);
      return;
    }
  if (m->n_params < 2 || *m->params[1] == '\0')
    {
      if (!notice)
        _suda_irc_reply (c, SUDA_ERR_NOTEXTTOSEND, NULL);
      return;
    }
  targets = g_strsplit (m->params[0], ",", 0);
  n = g_strv_length (targets);
  if (n > max_targets)
    {
      /* Name the first target over the limit, not the whole list: echoing
       * a long list would push the explanation past the line limit. */
      _suda_irc_reply (c, SUDA_ERR_TOOMANYTARGETS, *targets[max_targets] ? targets[max_targets] : "*", NULL);
      return;
    }
  client_tags = filter_client_tags (m->tags);
  for (guint i = 0; i < n && !_suda_client_is_closing (c); i++)
    {
      gboolean dup = FALSE;

      for (guint j = 0; j < i; j++)
        dup |= suda_irc_casecmp (targets[i], targets[j]) == 0;
      if (!dup && *targets[i])
        _suda_irc_deliver_message (c, command, targets[i], m->params[1], client_tags);
    }
}

void
_suda_irc_cmd_privmsg (SudaClient     *c,
                       SudaIrcMessage *m)
{
  message_command (c, m, "PRIVMSG");
}

void
_suda_irc_cmd_notice (SudaClient     *c,
                      SudaIrcMessage *m)
{
  message_command (c, m, "NOTICE");
}

static void
tagmsg_to (SudaOutLine *line,
           SudaClient  *to,
           SudaClient  *sender)
{
  if ((to->caps & SUDA_CAP_MESSAGE_TAGS) && (to != sender || (sender->caps & SUDA_CAP_ECHO_MESSAGE)))
    _suda_delivery_send_line (line, to);
}

/* TAGMSG (typing and reactions) goes only to message-tags clients, and is
 * neither logged nor kept: it says nothing a person reads later. */
void
_suda_irc_cmd_tagmsg (SudaClient     *c,
                      SudaIrcMessage *m)
{
  g_autofree char *client_tags = filter_client_tags (m->tags);
  g_autofree char *msgid = _suda_registry_next_msgid (c->core->registry);
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "TAGMSG", .client_tags = client_tags, .msgid = msgid,
                       .bot = c->bot, .account = c->account };

  if (suda_irc_is_channel (m->params[0]))
    {
      SudaChannel *channel = _suda_registry_find_channel (c->core->registry, m->params[0]);

      if (channel == NULL)
        _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, m->params[0], NULL);
      else if (!may_send (c, channel))
        _suda_irc_reply (c, SUDA_ERR_CANNOTSENDTOCHAN, channel->name, NULL);
      else
        {
          line.target = channel->name;
          for (guint i = 0; i < channel->members->len; i++)
            tagmsg_to (&line, g_array_index (channel->members, SudaMember, i).client, c);
        }
    }
  else
    {
      SudaClient *to = _suda_registry_find_client (c->core->registry, m->params[0]);
      SudaRemoteUser *remote = to ? NULL : _suda_registry_find_remote (c->core->registry, m->params[0]);

      if (remote != NULL)
        {
          line.target = remote->nick;
          tagmsg_to (&line, c, c);
          _suda_delivery_relay_out (c->core->delivery, NULL, &line, NULL, FALSE);
        }
      else if (to == NULL || !to->registered)
        _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, m->params[0], NULL);
      else
        {
          line.target = to->nick;
          tagmsg_to (&line, to, c);
          if (to != c)
            tagmsg_to (&line, c, c);
        }
    }
  _suda_delivery_out_line_clear (&line);
}
