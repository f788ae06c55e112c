/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Delivery: the one place where an event becomes a log entry, then a line
 * in its room's history, then bytes in each recipient's sendq.  The log
 * comes first: whatever a client saw is in it. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-format.h"
#include "suda-irc-message.h"
#include "suda-server-private.h"

/* An IRC line's variant is a set of these bits; plain text comes after. */
enum {
  VARIANT_BARE    = 0,
  VARIANT_TIME    = 1 << 0,
  VARIANT_TAGS    = 1 << 1,
  VARIANT_ACCOUNT = 1 << 2,
  VARIANT_PLAIN   = 8,
};

struct _SudaDelivery
{
  SudaRegistry           *registry;   /* borrowed */
  const SudaServerConfig *config;
  SudaLogFunc             log;
  gpointer                log_data;
  SudaRelayFunc           relay;      /* [cluster]: to the other servers, or NULL */
  gpointer                relay_data;
  SudaHoldJoinFunc        hold_join;  /* [cluster]: a JOIN waiting for a room's state */
  gpointer                hold_join_data;
  SudaPushback           *pushback;   /* borrowed; counts events from the others */
};

SudaDelivery *
_suda_delivery_new (SudaRegistry           *registry,
                    const SudaServerConfig *config,
                    SudaLogFunc             log,
                    gpointer                log_data)
{
  SudaDelivery *self = g_new0 (SudaDelivery, 1);

  self->registry = registry;
  self->config = config;
  self->log = log;
  self->log_data = log_data;
  return self;
}

void
_suda_delivery_free (SudaDelivery *self)
{
  g_free (self);
}

/* RELAY hears every event delivered here from this server's own users,
 * once; NULL stops it. */
void
_suda_delivery_set_relay (SudaDelivery  *self,
                          SudaRelayFunc  relay,
                          gpointer       data)
{
  self->relay = relay;
  self->relay_data = data;
}

void
_suda_delivery_set_hold_join (SudaDelivery     *self,
                              SudaHoldJoinFunc  hold,
                              gpointer          data)
{
  self->hold_join = hold;
  self->hold_join_data = data;
}

gboolean
_suda_delivery_hold_join (SudaDelivery  *self,
                          SudaClient    *client,
                          const char    *room,
                          const char    *key,
                          SudaJoinFunc   resume,
                          gpointer       resume_data,
                          GDestroyNotify destroy)
{
  return self->hold_join != NULL &&
         self->hold_join (self->hold_join_data, client, room, key, resume, resume_data, destroy);
}

void
_suda_delivery_set_pushback (SudaDelivery *self,
                             SudaPushback *pushback)
{
  self->pushback = pushback;
}

void
_suda_delivery_count_in (SudaDelivery *self)
{
  if (self->pushback != NULL)
    _suda_pushback_count_line (self->pushback);
}

void
_suda_delivery_relay_out (SudaDelivery *self,
                          SudaLogEntry *entry,
                          SudaOutLine  *line,
                          const char   *channel,
                          gboolean      keep)
{
  if (self->relay != NULL)
    self->relay (self->relay_data, entry, line, channel, keep);
}

SudaRegistry *
_suda_delivery_get_registry (SudaDelivery *self)
{
  return self->registry;
}

void
_suda_delivery_log (SudaDelivery *self,
                    SudaLogEntry *entry)
{
  self->log (self->log_data, entry);
}

void
_suda_delivery_log_event (SudaDelivery *self,
                          const char   *event,
                          const char   *channel,
                          const char   *nick,
                          const char   *text)
{
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, event, channel, nick, text);

  self->log (self->log_data, entry);
}

/* What fits after ":SOURCE COMMAND TARGET :" and before CR LF, at least one
 * byte however long the names are (the line is cut to fit in the end). */
gsize
_suda_delivery_text_budget (const char *source,
                            const char *command,
                            const char *target)
{
  gsize head = strlen (source) + strlen (command) + strlen (target) + strlen (":    :") + 2;

  return head < SUDA_IRC_MAX_LINE ? SUDA_IRC_MAX_LINE - head : 1;
}

/* Serializing ------------------------------------------------------------------ */

static char *
format_hhmm (gint64 unix_usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%H:%M");
}

/* A terminal shows what the text says: formatting codes are left out and
 * other controls (an ESC would start a terminal escape) shown as pictures. */
static char *
dup_plain_text (const char *text,
                gsize       len)
{
  g_autofree char *part = text ? g_strndup (text, len) : NULL;

  return part ? suda_format_strip (part, SUDA_FORMAT_PLAIN_ESCAPE_CONTROLS) : g_strdup ("");
}

static void
render_plain_message (GString     *out,
                      SudaOutLine *line,
                      const char  *hhmm,
                      const char  *nick)
{
  const char *text = line->text;
  g_autofree char *plain = NULL;

  if (suda_irc_is_channel (line->target))
    {
      if (g_str_has_prefix (text, "\001ACTION "))
        {
          plain = dup_plain_text (text + 8, strcspn (text + 8, "\001"));
          g_string_printf (out, "[%s] * %s %s", hhmm, nick, plain);
        }
      else
        {
          plain = dup_plain_text (text, strlen (text));
          g_string_printf (out, "[%s] %s: %s", hhmm, nick, plain);
        }
      return;
    }
  plain = dup_plain_text (text, strlen (text));
  if (g_str_equal (line->command, "NOTICE"))
    g_string_printf (out, "[%s] -%s- %s", hhmm, nick, plain);
  else
    /* TRANSLATORS: a private message in a plain-text session */
    g_string_printf (out, "[%s] %s %s: %s", hhmm, _("(whisper)"), nick, plain);
}

/* A person on a terminal reads "[HH:MM] nick: text"; the lines they need
 * not see render empty. */
static GString *
render_plain (SudaOutLine *line)
{
  g_autofree char *hhmm = format_hhmm (line->time);
  g_autofree char *text = dup_plain_text (line->text, line->text ? strlen (line->text) : 0);
  const char *nick = line->nick ? line->nick : "*";
  const char *command = line->command;
  GString *out = g_string_new (NULL);

  if (g_str_equal (command, "PRIVMSG") || g_str_equal (command, "NOTICE"))
    render_plain_message (out, line, hhmm, nick);
  else if (g_str_equal (command, "JOIN"))
    g_string_printf (out, _("[%s] * %s joined %s"), hhmm, nick, line->target);
  else if (g_str_equal (command, "PART"))
    g_string_printf (out, _("[%s] * %s left %s"), hhmm, nick, line->target);
  else if (g_str_equal (command, "QUIT"))
    g_string_printf (out, _("[%s] * %s left (%s)"), hhmm, nick, text);
  else if (g_str_equal (command, "NICK"))
    g_string_printf (out, _("[%s] * %s is now known as %s"), hhmm, nick, text);
  else if (g_str_equal (command, "KICK"))
    g_string_printf (out, _("[%s] * %s kicked %s (%s)"), hhmm, nick,
                     strchr (line->target, ' ') + 1, text);
  else if (g_str_equal (command, "TOPIC"))
    g_string_printf (out, _("[%s] * %s set the topic: %s"), hhmm, nick, text);
  else
    return out;
  g_string_append (out, "\r\n");
  return out;
}

static GString *
render_irc (SudaOutLine *line,
            int          variant)
{
  GString *out = g_string_sized_new (128);
  gsize body_start;

  if (variant & VARIANT_TIME)
    {
      g_autofree char *time = suda_irc_format_time_tag (line->time);

      g_string_append_printf (out, "@time=%s", time);
    }
  if (variant & VARIANT_ACCOUNT)
    g_string_append_printf (out, "%saccount=%s", out->len ? ";" : "@", line->account);
  if (variant & VARIANT_TAGS)
    {
      if (line->msgid)
        g_string_append_printf (out, "%smsgid=%s", out->len ? ";" : "@", line->msgid);
      if (line->bot)
        g_string_append_printf (out, "%sbot", out->len ? ";" : "@");
      if (line->client_tags)
        g_string_append_printf (out, "%s%s", out->len ? ";" : "@", line->client_tags);
    }
  if (out->len)
    g_string_append_c (out, ' ');

  body_start = out->len;
  g_string_append_printf (out, ":%s %s", line->source, line->command);
  if (line->target)
    g_string_append_printf (out, " %s", line->target);
  /* Relayed text always goes as a trailing parameter, as most servers
   * send it, so simple clients need not handle the other form.  The
   * sender's mask in front may push a line its client kept within 512
   * bytes over the limit: the text is cut (on a UTF-8 boundary) to fit. */
  if (line->text)
    {
      gsize used = out->len - body_start + strlen (" :") + strlen ("\r\n");
      gsize room = used < SUDA_IRC_MAX_LINE ? SUDA_IRC_MAX_LINE - used : 0;

      g_string_append (out, " :");
      g_string_append_len (out, line->text, suda_utf8_truncate (line->text, strlen (line->text), room));
    }
  g_string_append (out, "\r\n");
  return out;
}

/* The hot path: one pointer test per recipient, one serialization per
 * kind of recipient. */
void
_suda_delivery_send_line (SudaOutLine *line,
                          SudaClient  *to)
{
  int variant;

  if (to->protocol->plain)
    variant = VARIANT_PLAIN;
  else
    {
      variant = (to->caps & SUDA_CAP_SERVER_TIME) ? VARIANT_TIME : VARIANT_BARE;
      if ((to->caps & SUDA_CAP_MESSAGE_TAGS) && (line->client_tags || line->msgid || line->bot))
        variant |= VARIANT_TAGS;
      /* IRCv3 account-tag: who sent it, for those who asked. */
      if ((to->caps & SUDA_CAP_ACCOUNT_TAG) && line->account)
        variant |= VARIANT_ACCOUNT;
    }

  if (line->variants[variant] == NULL)
    line->variants[variant] = variant == VARIANT_PLAIN ? render_plain (line) : render_irc (line, variant);
  _suda_client_send (to, line->variants[variant]->str, line->variants[variant]->len);
}

void
_suda_delivery_out_line_clear (SudaOutLine *line)
{
  for (guint i = 0; i < G_N_ELEMENTS (line->variants); i++)
    if (line->variants[i])
      g_string_free (g_steal_pointer (&line->variants[i]), TRUE);
}

/* Fan-out ---------------------------------------------------------------------- */

/* draft/event-playback: what CHATHISTORY can give besides messages. */
static gboolean
is_event (const char *command)
{
  static const char * const events[] = { "JOIN", "KICK", "MODE", "NICK", "PART", "QUIT", "TOPIC" };

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    if (g_str_equal (command, events[i]))
      return TRUE;
  return FALSE;
}

/* LINE (an event) in CHANNEL's history, for draft/event-playback.  Only a
 * room that keeps a history (someone spoke in it) keeps its events: a room
 * made and left in silence costs nothing. */
void
_suda_delivery_keep_event (SudaDelivery *self,
                           SudaChannel  *channel,
                           SudaOutLine  *line)
{
  SudaHistory *history = _suda_registry_peek_history (self->registry, channel->name);

  if (history)
    suda_history_add_event (history, line->time, line->source, line->command, line->target, line->text);
}

/* ENTRY (may be NULL) is logged, LINE kept in the room's history when
 * KEEP (or as an event), then sent to every member but EXCEPT. */
void
_suda_delivery_to_channel (SudaDelivery *self,
                           SudaLogEntry *entry,
                           SudaOutLine  *line,
                           SudaChannel  *channel,
                           SudaClient   *except,
                           gboolean      keep)
{
  if (entry)
    self->log (self->log_data, entry);
  if (G_UNLIKELY (self->relay != NULL))
    self->relay (self->relay_data, entry, line, channel->name, keep);
  if (keep)
    {
      SudaHistory *history = _suda_registry_get_history (self->registry, channel->name);

      if (history)
        suda_history_add (history, line->time, line->source, line->command, line->text, line->msgid);
    }
  else if (is_event (line->command))
    _suda_delivery_keep_event (self, channel, line);
  for (guint i = 0; i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

      if (member != except)
        _suda_delivery_send_line (line, member);
    }
  _suda_delivery_out_line_clear (line);
}

void
_suda_delivery_to_client (SudaDelivery *self,
                          SudaLogEntry *entry,
                          SudaOutLine  *line,
                          SudaClient   *to)
{
  if (entry)
    self->log (self->log_data, entry);
  _suda_delivery_send_line (line, to);
  _suda_delivery_out_line_clear (line);
}

/* LINE once to everyone who shares a room with OF (and to OF itself when
 * INCLUDE_SELF), for NICK, QUIT and AWAY. */
void
_suda_delivery_to_peers (SudaDelivery *self,
                         SudaLogEntry *entry,
                         SudaOutLine  *line,
                         SudaClient   *of,
                         gboolean      include_self,
                         guint         required_caps)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  if (entry)
    self->log (self->log_data, entry);
  /* NICK and QUIT; a cap's notices (AWAY…) stay on this server for now. */
  if (G_UNLIKELY (self->relay != NULL) && required_caps == 0)
    self->relay (self->relay_data, entry, line, NULL, FALSE);
  g_hash_table_add (seen, of);
  for (guint c = 0; is_event (line->command) && c < of->channels->len; c++)
    _suda_delivery_keep_event (self, g_ptr_array_index (of->channels, c), line);
  if (include_self)
    _suda_delivery_send_line (line, of);

  for (guint c = 0; c < of->channels->len; c++)
    {
      SudaChannel *channel = g_ptr_array_index (of->channels, c);

      for (guint i = 0; i < channel->members->len; i++)
        {
          SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

          if ((member->caps & required_caps) != required_caps)
            continue;
          if (g_hash_table_add (seen, member))
            _suda_delivery_send_line (line, member);
        }
    }
  /* IRCv3 extended-monitor: a cap's notices (AWAY…) also reach those who
   * MONITOR OF, as if they shared a room; NICK and QUIT they learn from
   * MONITOR itself. */
  if (required_caps)
    {
      GPtrArray *watchers = _suda_registry_get_watchers (self->registry, of->nick);
      guint wanted = required_caps | SUDA_CAP_EXTENDED_MONITOR;

      for (guint i = 0; watchers && i < watchers->len; i++)
        {
          SudaClient *watcher = g_ptr_array_index (watchers, i);

          if ((watcher->caps & wanted) == wanted && g_hash_table_add (seen, watcher))
            _suda_delivery_send_line (line, watcher);
        }
    }
  _suda_delivery_out_line_clear (line);
}

/* Messages --------------------------------------------------------------------- */

void
_suda_delivery_message (SudaDelivery *self,
                        SudaOutLine  *line,
                        SudaChannel  *channel,
                        SudaClient   *except)
{
  const char *event = g_str_equal (line->command, "NOTICE") ? "notice" : "message";
  /* The line's own time: a history read back from the log keeps the time tags clients saw. */
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (line->time, event, channel->name, line->nick, line->text);
  g_autofree char *msgid = _suda_registry_next_msgid (self->registry);

  /* One id in the log, the history and every copy, so clients can de-duplicate. */
  line->target = channel->name;
  line->msgid = msgid;
  suda_log_entry_set_field (entry, "msgid", msgid);
  /* The full mask, so a history read back from the log (at start, or by
   * CHATHISTORY) says who as the live one did. */
  suda_log_entry_set_field (entry, "source", line->source);
  _suda_delivery_to_channel (self, entry, line, channel, except, TRUE);
  line->msgid = NULL;
}

/* A whisper's log entry (ENTRY, or one made here) and its place in the
 * two people's conversation, before it is sent. */
static void
record_whisper (SudaDelivery *self,
                SudaLogEntry *entry,
                SudaOutLine  *line)
{
  g_autoptr(SudaLogEntry) own = NULL;

  if (entry == NULL)
    {
      entry = own = suda_log_entry_new (line->time, "whisper", NULL, line->nick,
                                        self->config->log_whisper_text ? line->text : NULL);
      suda_log_entry_set_field (entry, "target", line->target);
      suda_log_entry_set_field (entry, "msgid", line->msgid);
    }
  self->log (self->log_data, entry);
  /* CHATHISTORY gives a conversation only where the log keeps its text. */
  if (self->config->log_whisper_text)
    {
      SudaHistory *history = _suda_registry_get_conversation (self->registry, line->nick, line->target, TRUE);
      SudaHistoryItem *item = history ? suda_history_add (history, line->time, line->source, line->command,
                                                          line->text, line->msgid) : NULL;

      /* Each message says whom it went to. */
      if (item)
        item->target = g_strdup (line->target);
    }
}

void
_suda_delivery_whisper (SudaDelivery *self,
                        SudaOutLine  *line,
                        SudaClient   *to,
                        SudaClient   *echo)
{
  g_autofree char *msgid = _suda_registry_next_msgid (self->registry);

  line->target = to->nick;
  line->msgid = msgid;
  record_whisper (self, NULL, line);
  _suda_delivery_send_line (line, to);
  if (echo)
    _suda_delivery_send_line (line, echo);
  _suda_delivery_out_line_clear (line);
  line->msgid = NULL;
}

/* [cluster]: to NICK on another server, which logs and sends it there. */
void
_suda_delivery_whisper_remote (SudaDelivery *self,
                               SudaOutLine  *line,
                               const char   *nick,
                               SudaClient   *echo)
{
  g_autofree char *msgid = _suda_registry_next_msgid (self->registry);
  g_autoptr(SudaLogEntry) entry = NULL;

  line->target = nick;
  line->msgid = msgid;
  entry = suda_log_entry_new (line->time, "whisper", NULL, line->nick,
                              self->config->log_whisper_text ? line->text : NULL);
  suda_log_entry_set_field (entry, "target", nick);
  suda_log_entry_set_field (entry, "msgid", msgid);
  record_whisper (self, entry, line);
  if (echo)
    _suda_delivery_send_line (line, echo);
  if (self->relay != NULL)
    self->relay (self->relay_data, entry, line, NULL, FALSE);
  _suda_delivery_out_line_clear (line);
  line->msgid = NULL;
}

/* [cluster]: a whisper from another server to TO, as its server logged it. */
void
_suda_delivery_whisper_in (SudaDelivery *self,
                           SudaLogEntry *entry,
                           SudaOutLine  *line,
                           SudaClient   *to)
{
  line->target = to->nick;
  record_whisper (self, entry, line);
  _suda_delivery_send_line (line, to);
  _suda_delivery_out_line_clear (line);
}
