/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IRCv3 draft/chathistory: CHATHISTORY LATEST, BEFORE, AFTER, AROUND,
 * BETWEEN and TARGETS over the rooms' kept histories (the last
 * [limits] history-lines messages of each, reloaded from the log at start). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>

#include "suda-irc-private.h"
#include "suda-log-reader.h"

/* A message reference: "*", "timestamp=…" or "msgid=…". */
typedef struct {
  gboolean    now;
  gboolean    by_time;
  gint64      time;
  const char *msgid;
} HistoryRef;

/* A reference's place among the kept items: BEFORE items come strictly
 * before it, items from AFTER on strictly after. */
typedef struct {
  guint before;
  guint after;
} HistoryCut;

static gboolean
parse_ref (const char *text,
           gboolean    star_allowed,
           HistoryRef *ref)
{
  memset (ref, 0, sizeof *ref);
  if (star_allowed && g_str_equal (text, "*"))
    ref->now = TRUE;
  else if (g_str_has_prefix (text, "timestamp="))
    ref->by_time = suda_log_parse_time (text + strlen ("timestamp="), &ref->time);
  else if (g_str_has_prefix (text, "msgid=") && text[strlen ("msgid=")] != '\0')
    ref->msgid = text + strlen ("msgid=");
  return ref->now || ref->by_time || ref->msgid;
}

/* How many of VIEW's items come before TIME (or at it too, when
 * INCLUSIVE).  Times compare in milliseconds, the precision of the time
 * tags clients quote; items are in the order they happened. */
static guint
count_before (GPtrArray *view,
              gint64     time,
              gboolean   inclusive)
{
  gint64 ms = time / 1000;
  guint count = 0;

  for (; count < view->len; count++)
    {
      gint64 item_ms = ((SudaHistoryItem *) g_ptr_array_index (view, count))->time / 1000;

      if (inclusive ? item_ms > ms : item_ms >= ms)
        break;
    }
  return count;
}

static int
find_msgid (GPtrArray  *view,
            const char *msgid)
{
  for (guint i = 0; i < view->len; i++)
    if (g_strcmp0 (((SudaHistoryItem *) g_ptr_array_index (view, i))->msgid, msgid) == 0)
      return i;
  return -1;
}

/* FALSE when the message is not (or no longer) kept. */
static gboolean
cut_at (GPtrArray        *view,
        const HistoryRef *ref,
        HistoryCut       *cut)
{
  guint n = view->len;

  /* "*" (LATEST only) bounds nothing from below. */
  if (ref->now)
    {
      cut->before = n;
      cut->after = 0;
      return TRUE;
    }
  if (n == 0)
    {
      cut->before = cut->after = 0;
      return ref->by_time;
    }
  if (ref->by_time)
    {
      cut->before = count_before (view, ref->time, FALSE);
      cut->after = count_before (view, ref->time, TRUE);
      return TRUE;
    }
  {
    int index = find_msgid (view, ref->msgid);

    if (index < 0)
      return FALSE;
    cut->before = index;
    cut->after = index + 1;
  }
  return TRUE;
}

static void
fail (SudaClient *c,
      const char *code,
      const char *subcommand,
      const char *target,
      const char *text)
{
  g_autofree char *what = target ? g_strdup_printf ("%s %s %s", code, subcommand, target)
                                 : g_strdup_printf ("%s %s", code, subcommand);

  _suda_irc_fail (c, "CHATHISTORY", what, text);
}

static char *
open_batch (SudaClient *c,
            const char *type,
            const char *target)
{
  char *batch;

  if (!(c->caps & SUDA_CAP_BATCH))
    return NULL;
  batch = _suda_registry_next_batch_id (c->core->registry);
  if (target)
    _suda_irc_sendf (c, ":%s BATCH +%s %s %s\r\n", _suda_irc_server_name (c), batch, type, target);
  else
    _suda_irc_sendf (c, ":%s BATCH +%s %s\r\n", _suda_irc_server_name (c), batch, type);
  return batch;
}

static void
close_batch (SudaClient *c,
             const char *batch)
{
  if (batch)
    _suda_irc_sendf (c, ":%s BATCH -%s\r\n", _suda_irc_server_name (c), batch);
}

static void
send_item (SudaClient      *c,
           const char      *target,
           SudaHistoryItem *item,
           const char      *batch)
{
  g_autoptr(GString) tags = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *time = suda_irc_format_time_tag (item->time);
  /* A conversation's messages each say whom they went to. */
  const char *params[] = { item->target ? item->target : target, item->text };

  if (batch)
    g_string_append_printf (tags, "batch=%s;", batch);
  g_string_append_printf (tags, "time=%s", time);
  if (item->msgid && (c->caps & SUDA_CAP_MESSAGE_TAGS))
    g_string_append_printf (tags, ";msgid=%s", item->msgid);
  /* An event goes as it went live: its own middle parameters, its text
   * always trailing. */
  if (item->event)
    {
      g_string_append_printf (out, "@%s :%s %s", tags->str, item->source, item->command);
      if (item->target)
        g_string_append_printf (out, " %s", item->target);
      if (item->text)
        g_string_append_printf (out, " :%s", item->text);
      g_string_append (out, "\r\n");
    }
  else
    suda_irc_append_line (out, tags->str, item->source, item->command, params, 2);
  _suda_irc_fit (out);
  _suda_client_send (c, out->str, out->len);
}

/* Items [FROM, TO) of VIEW, oldest first, in one chathistory batch. */
static void
send_range (SudaClient *c,
            const char *target,
            GPtrArray  *view,
            guint       from,
            guint       to)
{
  g_autofree char *batch = open_batch (c, "chathistory", target);

  for (guint i = from; i < to && i < view->len; i++)
    send_item (c, target, g_ptr_array_index (view, i), batch);
  close_batch (c, batch);
}

/* The window of LIMIT items around a cut, as even on both sides as the
 * history allows. */
static void
around (const HistoryCut *cut,
        guint             n,
        guint             limit,
        guint            *from,
        guint            *to)
{
  *from = cut->before > limit / 2 ? cut->before - limit / 2 : 0;
  *to = MIN (n, *from + limit);
  *from = *to > limit ? *to - limit : 0;
}

static void
select_range (const char       *sub,
              guint             n,
              guint             limit,
              const HistoryCut *a,
              const HistoryCut *b,
              guint            *from,
              guint            *to)
{
  if (g_ascii_strcasecmp (sub, "BEFORE") == 0)
    {
      *to = a->before;
      *from = *to > limit ? *to - limit : 0;
    }
  else if (g_ascii_strcasecmp (sub, "AFTER") == 0)
    {
      *from = a->after;
      *to = MIN (n, *from + limit);
    }
  else if (g_ascii_strcasecmp (sub, "LATEST") == 0)
    {
      *to = n;
      *from = MAX (a->after, n > limit ? n - limit : 0);
      *from = MIN (*from, n);
    }
  else if (g_ascii_strcasecmp (sub, "AROUND") == 0)
    around (a, n, limit, from, to);
  else if (a->before <= b->before)
    {
      /* BETWEEN, forwards: the LIMIT messages nearest the first reference. */
      *from = a->after;
      *to = MIN (b->before, *from + limit);
    }
  else
    {
      *to = a->before;
      *from = MAX (b->after, *to > limit ? *to - limit : 0);
    }
  if (*from > *to)
    *from = *to;
}

/* The room C asks for, or NULL after a FAIL: only members read a room's
 * history, as only they heard it. */
static gboolean
check_target (SudaClient   *c,
              const char   *sub,
              const char   *target,
              SudaChannel **channel)
{
  *channel = NULL;
  if (suda_irc_is_channel (target))
    {
      *channel = _suda_registry_find_channel (c->core->registry, target);
      if (*channel && suda_channel_has_member (*channel, c))
        return TRUE;
    }
  /* A person: the conversation with them, where [log] whisper-text keeps it. */
  else if (suda_irc_is_valid_nick (target, SUDA_IRC_NICKLEN))
    return TRUE;
  fail (c, "INVALID_TARGET", sub, target, _("Messages could not be retrieved"));
  return FALSE;
}

static gboolean
parse_limit (const char *text,
             guint      *limit)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT, &value, NULL))
    return FALSE;
  *limit = MIN (value, SUDA_IRC_CHATHISTORY_MAX);
  return TRUE;
}

/* A query, parsed; its msgids owned, so that it can wait for the log. */
typedef struct {
  const char *sub;           /* static */
  gboolean    between;
  HistoryRef  refs[2];
  char       *msgids[2];
  guint       limit;
  gint64      since;         /* unix usec: nothing older is told (a nick's conversations) */
} HistoryQuery;

static void
history_query_free (HistoryQuery *query)
{
  g_free (query->msgids[0]);
  g_free (query->msgids[1]);
  g_free (query);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HistoryQuery, history_query_free)

/* Answers QUERY from HISTORY; TRUE when the answer may miss older messages
 * that HISTORY (full) no longer keeps but the log does. */
static gboolean
answer (SudaClient         *c,
        const char         *target,
        SudaHistory        *history,
        const HistoryQuery *query,
        gboolean            send)
{
  HistoryCut cuts[2] = { { 0, 0 }, { 0, 0 } };
  /* draft/event-playback: joins, parts and the like only to those who asked. */
  g_autoptr(GPtrArray) view = suda_history_dup_view (history, (c->caps & SUDA_CAP_EVENT_PLAYBACK) != 0);
  guint n, old = 0;

  while (old < view->len && ((SudaHistoryItem *) g_ptr_array_index (view, old))->time < query->since)
    old++;
  g_ptr_array_remove_range (view, 0, old);
  n = view->len;
  guint from = 0, to = 0;
  gboolean found, full, before_first = FALSE;

  found = cut_at (view, &query->refs[0], &cuts[0]) &&
          (!query->between || cut_at (view, &query->refs[1], &cuts[1]));
  /* A message no longer kept is no place to start from: nothing comes. */
  if (found)
    select_range (query->sub, n, query->limit, &cuts[0], &cuts[1], &from, &to);
  for (guint i = 0; i < (query->between ? 2u : 1u); i++)
    before_first |= query->refs[i].by_time && cuts[i].after == 0;
  full = history && history->max && history->items.length >= history->max;
  if (send)
    send_range (c, target, view, from, to);
  return !found || (full && from == 0 && (to - from < query->limit || before_first));
}

typedef struct {
  SudaSession  *session;
  char         *channel;
  HistoryQuery *query;
  SudaIrcLabelWait *wait;   /* labeled-response: the query's late answer, or NULL */
} LogRead;

static void
log_read_free (LogRead *read)
{
  g_object_unref (read->session);
  g_free (read->channel);
  _suda_irc_label_wait_unref (read->wait);
  history_query_free (read->query);
  g_free (read);
}

static void
log_read_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  LogRead *read = data;
  g_autoptr(GHashTable) histories = suda_server_log_load_history_finish (result, NULL);
  SudaClient *c;
  SudaChannel *channel;

  /* The client may have gone, or left the room, meanwhile. */
  if (_suda_session_is_closing (read->session))
    {
      log_read_free (read);
      return;
    }
  c = _suda_client_from_session (read->session);
  _suda_irc_label_wait_part_begin (read->wait, c);
  if (check_target (c, read->query->sub, read->channel, &channel) && channel)
    answer (c, channel->name, histories ? g_hash_table_lookup (histories, channel->name) : NULL,
            read->query, TRUE);
  _suda_irc_label_wait_part_end (read->wait, c);
  log_read_free (read);
}

/* Reads the room's older messages from the log on a worker thread (up to
 * the log's size now), then answers; FALSE when there is no log to read. */
static gboolean
read_log (SudaClient    *c,
          SudaChannel   *channel,
          HistoryQuery **query)
{
  g_autofree char *path = suda_server_config_dup_log_path (c->core->config);
  SudaIrcLabelWait *wait;
  GStatBuf st;
  LogRead *read;

  if (*path == '\0' || g_stat (path, &st) != 0)
    return FALSE;
  read = g_new0 (LogRead, 1);
  read->session = g_object_ref (c->session);
  read->channel = g_strdup (channel->name);
  read->query = g_steal_pointer (query);
  /* the answer is this one late part */
  wait = _suda_irc_label_wait_new (c);
  read->wait = _suda_irc_label_wait_add_part (wait);
  _suda_irc_label_wait_defer (wait, c);
  _suda_irc_label_wait_unref (wait);
  suda_server_log_load_history_async (path, SUDA_IRC_HISTORY_LOG_LINES, st.st_size, NULL,
                                      log_read_done, read);
  return TRUE;
}

static void
history_query (SudaClient     *c,
               SudaIrcMessage *m,
               const char     *sub)
{
  g_autoptr(HistoryQuery) query = g_new0 (HistoryQuery, 1);
  gboolean latest = g_ascii_strcasecmp (sub, "LATEST") == 0;
  SudaChannel *channel;
  SudaHistory *history = NULL;

  query->sub = sub;
  query->between = g_ascii_strcasecmp (sub, "BETWEEN") == 0;
  if (m->n_params < (query->between ? 5u : 4u))
    {
      fail (c, "NEED_MORE_PARAMS", sub, NULL, _("Missing parameters"));
      return;
    }
  if (!parse_ref (m->params[2], latest, &query->refs[0]) ||
      (query->between && !parse_ref (m->params[3], FALSE, &query->refs[1])) ||
      !parse_limit (m->params[query->between ? 4 : 3], &query->limit))
    {
      fail (c, "INVALID_PARAMS", sub, NULL, _("Invalid parameters"));
      return;
    }
  for (guint i = 0; i < 2; i++)
    if (query->refs[i].msgid)
      query->refs[i].msgid = query->msgids[i] = g_strdup (query->refs[i].msgid);
  if (!check_target (c, sub, m->params[1], &channel))
    return;

  if (channel)
    history = _suda_registry_peek_history (c->core->registry, channel->name);
  else
    {
      /* What was said to a nick before C took it is not C's to read. */
      history = _suda_registry_get_conversation (c->core->registry, c->nick, m->params[1], FALSE);
      query->since = c->nick_since;
    }
  /* Older than what the room keeps: the log has it (a labelled query gets
   * its labelled batch once it is read). */
  if (channel && answer (c, channel->name, history, query, FALSE) &&
      read_log (c, channel, &query))
    return;
  answer (c, channel ? channel->name : m->params[1], history, query, TRUE);
}

typedef struct {
  char   *name;
  gint64  last;
} TargetTime;

static void
target_time_clear (gpointer data)
{
  g_free (((TargetTime *) data)->name);
}

/* TARGET to FOUND when HISTORY has a message (at or after SINCE) between LOW and HIGH. */
static void
add_target (GArray      *found,
            const char  *target,
            SudaHistory *history,
            gint64       since,
            gint64       low,
            gint64       high)
{
  guint n = history ? suda_history_count_before (history, high, FALSE) : 0;
  SudaHistoryItem *last = n ? g_queue_peek_nth (&history->items, n - 1) : NULL;

  if (last && last->time > low && last->time >= since)
    {
      TargetTime found_one = { g_strdup (target), last->time };

      g_array_append_val (found, found_one);
    }
}

static int
compare_target_time (gconstpointer a,
                     gconstpointer b)
{
  gint64 x = ((const TargetTime *) a)->last, y = ((const TargetTime *) b)->last;

  return x < y ? -1 : x > y;
}

/* CHATHISTORY TARGETS: C's rooms and conversations with a message between
 * two times, by the time of their last one. */
static void
history_targets (SudaClient     *c,
                 SudaIrcMessage *m)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (TargetTime));
  g_autoptr(GPtrArray) others = NULL;
  g_autofree char *batch = NULL;
  HistoryRef a, b;
  gint64 low, high;
  guint limit;

  if (m->n_params < 4)
    {
      fail (c, "NEED_MORE_PARAMS", "TARGETS", NULL, _("Missing parameters"));
      return;
    }
  if (!parse_ref (m->params[1], FALSE, &a) || !a.by_time ||
      !parse_ref (m->params[2], FALSE, &b) || !b.by_time || !parse_limit (m->params[3], &limit))
    {
      fail (c, "INVALID_PARAMS", "TARGETS", NULL, _("Invalid parameters"));
      return;
    }
  low = MIN (a.time, b.time);
  high = MAX (a.time, b.time);
  g_array_set_clear_func (found, target_time_clear);
  for (guint i = 0; i < c->channels->len; i++)
    {
      SudaChannel *channel = g_ptr_array_index (c->channels, i);

      add_target (found, channel->name, _suda_registry_peek_history (c->core->registry, channel->name),
                  0, low, high);
    }
  others = _suda_registry_list_conversations (c->core->registry, c->nick);
  for (guint i = 0; i < others->len; i++)
    {
      const char *other = g_ptr_array_index (others, i);

      add_target (found, other, _suda_registry_get_conversation (c->core->registry, c->nick, other, FALSE),
                  c->nick_since, low, high);
    }
  g_array_sort (found, compare_target_time);
  batch = open_batch (c, "draft/chathistory-targets", NULL);
  for (guint i = 0; i < found->len && i < limit; i++)
    {
      TargetTime *target = &g_array_index (found, TargetTime, i);
      g_autofree char *time = suda_irc_format_time_tag (target->last);

      _suda_irc_sendf (c, "%s%s%s:%s CHATHISTORY TARGETS %s %s\r\n",
                       batch ? "@batch=" : "", batch ? batch : "", batch ? " " : "",
                       _suda_irc_server_name (c), target->name, time);
    }
  close_batch (c, batch);
}

void
_suda_irc_cmd_chathistory (SudaClient     *c,
                           SudaIrcMessage *m)
{
  static const char * const queries[] = { "AFTER", "AROUND", "BEFORE", "BETWEEN", "LATEST" };
  const char *sub = m->n_params ? m->params[0] : "*";

  if (m->n_params == 0)
    {
      fail (c, "NEED_MORE_PARAMS", sub, NULL, _("Missing parameters"));
      return;
    }
  if (g_ascii_strcasecmp (sub, "TARGETS") == 0)
    {
      history_targets (c, m);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    if (g_ascii_strcasecmp (sub, queries[i]) == 0)
      {
        history_query (c, m, queries[i]);
        return;
      }
  fail (c, "INVALID_PARAMS", sub, NULL, _("Unknown subcommand"));
}
