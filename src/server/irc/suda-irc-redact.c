/* SPDX-License-Identifier: GPL-3.0-or-later */
/* draft/message-redaction: REDACT #room msgid [:reason] takes back a
 * message the room still keeps.  Its author or the room's operators (and
 * the server's) may; the log records a "redact" entry, the history drops
 * the message, and members who took the cap are told. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

static void
fail (SudaClient *c,
      const char *code,
      const char *target,
      const char *msgid,
      const char *text)
{
  g_autofree char *what = msgid ? g_strdup_printf ("%s %s %s", code, target, msgid)
                                : g_strdup_printf ("%s %s", code, target);

  _suda_irc_fail (c, "REDACT", what, text);
}

static SudaHistoryItem *
find_item (SudaHistory *history,
           const char  *msgid)
{
  int index = history ? suda_history_find_msgid (history, msgid) : -1;

  return index < 0 ? NULL : g_queue_peek_nth (&history->items, index);
}

static void
tell_members (SudaClient  *c,
              SudaChannel *channel,
              const char  *msgid,
              const char  *reason)
{
  g_autofree char *middle = g_strdup_printf ("%s %s", channel->name, msgid);
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "REDACT", .target = middle, .text = reason };

  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

      if (!(member->caps & SUDA_CAP_MESSAGE_REDACTION))
        continue;
      if (member != c || (c->caps & SUDA_CAP_ECHO_MESSAGE))
        _suda_delivery_send_line (&line, member);
    }
  _suda_delivery_out_line_clear (&line);
}

void
_suda_irc_cmd_redact (SudaClient     *c,
                      SudaIrcMessage *m)
{
  const char *target = m->params[0];
  const char *msgid = m->params[1];
  const char *reason = m->n_params > 2 && *m->params[2] ? m->params[2] : NULL;
  SudaChannel *channel = suda_irc_is_channel (target)
                         ? _suda_registry_find_channel (c->core->registry, target) : NULL;
  g_autoptr(SudaLogEntry) entry = NULL;
  SudaHistoryItem *item;
  g_autofree char *author = NULL;

  /* Private messages are not kept, so there is nothing to take back there. */
  if (channel == NULL || !suda_channel_has_member (channel, c))
    {
      fail (c, "INVALID_TARGET", target, NULL, _("You cannot redact messages here"));
      return;
    }
  item = find_item (_suda_registry_peek_history (c->core->registry, channel->name), msgid);
  if (item == NULL)
    {
      fail (c, "UNKNOWN_MSGID", channel->name, msgid, _("This message does not exist or is too old"));
      return;
    }
  /* By nick: a history read back from the log knows its authors by nick only. */
  author = suda_irc_source_nick (item->source);
  if (suda_irc_casecmp (author, c->nick) != 0 && !suda_channel_is_op (channel, c) && !c->oper)
    {
      fail (c, "REDACT_FORBIDDEN", channel->name, msgid, _("You are not allowed to redact this message"));
      return;
    }
  entry = suda_log_entry_new (0, "redact", channel->name, c->nick, reason);
  suda_log_entry_set_field (entry, "msgid", msgid);
  _suda_delivery_log (c->core->delivery, entry);
  suda_history_remove_msgid (_suda_registry_peek_history (c->core->registry, channel->name), msgid);
  tell_members (c, channel, msgid, reason);
}
