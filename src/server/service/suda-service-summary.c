/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-format.h"
#include "suda-irc-message.h"
#include "suda-service-private.h"

/* The service user's "summary" command: "!summary [N]" in a room asks the
 * AI to sum up the room's last N messages; "summary #ROOM [N]" in private
 * answers privately.  The room's history (what JOIN replays) is the source. */

#define DEFAULT_SUMMARY_LINES 100

/* The words the model needs of one line; CTCP ACTION reads as "* nick does". */
static void
append_line (GString         *out,
             SudaHistoryItem *item)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (item->time / G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (time, "%H:%M");
  gsize nick_len = strcspn (item->source, "!");
  const char *text = item->text;
  g_autofree char *action = NULL;
  g_autofree char *plain = NULL;

  if (g_str_has_prefix (text, "\001ACTION "))
    {
      action = g_strndup (text + 8, strcspn (text + 8, "\001"));
      text = action;
    }
  plain = suda_format_strip (text, SUDA_FORMAT_PLAIN_DEFAULT);
  g_string_append_printf (out, action != NULL ? "[%s] * %.*s %s\n" : "[%s] %.*s: %s\n",
                          stamp, (int) nick_len, item->source, plain);
}

/* Said by a person to the room: not the service's own posts (answers to
 * earlier commands) and not the commands themselves, nor other CTCP. */
static gboolean
is_discussion (SudaService     *self,
               SudaHistoryItem *item)
{
  gsize nick_len = strcspn (item->source, "!");

  if (g_strcmp0 (item->command, "PRIVMSG") != 0 || item->text == NULL || item->text[0] == '!')
    return FALSE;
  if (item->text[0] == '\001' && !g_str_has_prefix (item->text, "\001ACTION "))
    return FALSE;
  return !(nick_len == strlen (self->nick) && g_ascii_strncasecmp (item->source, self->nick, nick_len) == 0);
}

char *
_suda_service_dup_room_lines (SudaService  *self,
                              const char   *channel,
                              guint         max,
                              guint        *n_lines,
                              char        **last_id)
{
  SudaHistory *history = _suda_registry_peek_history (self->core->registry, channel);
  g_autoptr(GPtrArray) picked = g_ptr_array_new ();
  GString *out;

  if (n_lines != NULL)
    *n_lines = 0;
  if (history == NULL || max == 0)
    return NULL;

  /* Newest first, then turned around, so the walk stops after MAX. */
  for (GList *l = history->items.tail; l != NULL && picked->len < max; l = l->prev)
    if (is_discussion (self, l->data))
      g_ptr_array_add (picked, l->data);
  if (picked->len == 0)
    return NULL;

  out = g_string_new (NULL);
  for (guint i = picked->len; i > 0; i--)
    append_line (out, g_ptr_array_index (picked, i - 1));
  g_string_truncate (out, out->len - 1);

  if (n_lines != NULL)
    *n_lines = picked->len;
  if (last_id != NULL)
    {
      SudaHistoryItem *newest = g_ptr_array_index (picked, 0);

      *last_id = newest->msgid != NULL ? g_strdup (newest->msgid)
                                       : g_strdup_printf ("%" G_GINT64_FORMAT, newest->time);
    }
  return g_string_free (out, FALSE);
}

/* "[N]" after the room: a count from 1, or FALSE. */
static gboolean
parse_count (const char *text,
             guint      *count)
{
  guint64 value = 0;

  if (text == NULL || text[0] == '\0')
    {
      *count = DEFAULT_SUMMARY_LINES;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL))
    return FALSE;
  *count = value;
  return TRUE;
}

static void
usage (SudaService *self,
       SudaClient  *asker,
       gboolean     in_channel)
{
  _suda_service_notice (self, asker, in_channel ? _("Usage: !summary [NUMBER OF MESSAGES]")
                                                : _("Usage: summary #ROOM [NUMBER OF MESSAGES]"));
}

static void
ask_summary (SudaService *self,
             SudaClient  *asker,
             const char  *channel,
             const char  *room,
             guint        count)
{
  g_autofree char *lines = NULL;
  g_autofree char *last_id = NULL;
  g_autofree char *cache_key = NULL;
  g_autofree char *query = NULL;
  g_autofree char *lead = NULL;
  guint n_lines = 0;
  SudaServiceAsk ask = { .command = "summary", .channel = room, .reply_to = channel };

  lines = _suda_service_dup_room_lines (self, room, count, &n_lines, &last_id);
  if (lines == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("There is nothing to summarize in %s yet."), room);

      _suda_service_notice (self, asker, text);
      return;
    }

  /* The same lines give the same summary: the newest line's id says
   * whether anything was said since. */
  cache_key = g_strdup_printf ("summary\n%s\n%u\n%s", room, n_lines, last_id);
  query = g_strdup_printf ("summary %u", n_lines);
  /* TRANSLATORS: put before the AI's summary of a chat room */
  lead = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "(summary of the last %u message)",
                                       "(summary of the last %u messages)", n_lines),
                          n_lines);
  ask.question = "Summarize the discussion above.";
  ask.lead = lead;
  ask.prompt.instructions =
    "You are given the recent messages of a group chat room, one per line as "
    "[time] nick: text. Summarize the discussion in a few sentences of plain "
    "text: the topics, what was decided, and the open questions, naming who "
    "said what where it matters. Answer in the language that most of the "
    "messages use.";
  ask.prompt.context = lines;
  ask.prompt.cache_key = cache_key;
  /* The log keeps how many lines were summarized, not the question text. */
  ask.query = query;
  _suda_service_ask (self, asker, &ask);
}

void
_suda_service_summary (SudaService *self,
                       SudaClient  *asker,
                       const char  *channel,
                       const char  *args)
{
  const char *room = channel;
  g_autofree char *room_arg = NULL;
  const char *count_arg = args;
  guint count;

  g_return_if_fail (SUDA_IS_SERVICE (self));

  /* In private the room comes first, and only a member may read it. */
  if (channel == NULL)
    {
      gsize len = strcspn (args, " ");

      room_arg = g_strndup (args, len);
      count_arg = args + len;
      while (*count_arg == ' ')
        count_arg++;
      if (!suda_irc_is_channel (room_arg))
        {
          usage (self, asker, FALSE);
          return;
        }
      if (!_suda_service_client_in_channel (self, asker, room_arg))
        {
          g_autofree char *text = g_strdup_printf (_("You are not in %s."), room_arg);

          _suda_service_notice (self, asker, text);
          return;
        }
      room = room_arg;
    }

  if (!parse_count (count_arg, &count))
    {
      usage (self, asker, channel != NULL);
      return;
    }
  ask_summary (self, asker, channel, room, MIN (count, self->core->config->ai.summary_max));
}
