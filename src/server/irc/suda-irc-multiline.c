/* SPDX-License-Identifier: GPL-3.0-or-later */
/* draft/multiline: a pasted block sent as "BATCH +ref draft/multiline
 * target", its PRIVMSG (or NOTICE) lines, then "BATCH -ref", arrives as one
 * message.  Clients with the cap get it as one batch; others get its lines
 * one by one.  It is logged as one entry whose text holds the lines joined
 * by newlines, and kept in the history line by line, the first carrying the
 * message's msgid. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

struct _SudaIrcMultiline
{
  char      *ref;
  char      *target;
  char      *command;     /* set by the first line */
  GPtrArray *texts;
  GArray    *concat;      /* gboolean per line: joins the previous one without a break */
  gsize      bytes;
  gboolean   failed;      /* told why: the rest of the batch is dropped */
};

void
_suda_irc_multiline_free (SudaIrcMultiline *self)
{
  if (self == NULL)
    return;
  g_free (self->ref);
  g_free (self->target);
  g_free (self->command);
  g_ptr_array_unref (self->texts);
  g_array_unref (self->concat);
  g_free (self);
}

static void
fail (SudaClient *c,
      const char *code,
      const char *text)
{
  _suda_irc_fail (c, "BATCH", code, text);
  c->multiline->failed = TRUE;
}

static gboolean
has_tag (const char *tags,
         const char *name)
{
  gsize len = strlen (name);

  for (const char *p = tags; p && *p; p += strcspn (p, ";") + (p[strcspn (p, ";")] ? 1 : 0))
    if (strncmp (p, name, len) == 0 && (p[len] == ';' || p[len] == '=' || p[len] == '\0'))
      return TRUE;
  return FALSE;
}

/* TRUE when M belongs to the open batch (and is taken, or dropped). */
gboolean
_suda_irc_multiline_take (SudaClient     *c,
                          SudaIrcMessage *m)
{
  SudaIrcMultiline *self = c->multiline;
  g_autofree char *tag = g_strdup_printf ("batch=%s", self->ref);
  gboolean concat;
  const char *text;

  if (!has_tag (m->tags, tag) || g_str_equal (m->command, "BATCH"))
    return FALSE;
  if (self->failed)
    return TRUE;
  if ((!g_str_equal (m->command, "PRIVMSG") && !g_str_equal (m->command, "NOTICE")) ||
      (self->command && !g_str_equal (self->command, m->command)) || m->n_params < 2)
    {
      fail (c, "MULTILINE_INVALID", _("A multiline batch holds PRIVMSG or NOTICE lines of one kind"));
      return TRUE;
    }
  if (suda_irc_casecmp (m->params[0], self->target) != 0)
    {
      g_autofree char *what = g_strdup_printf ("MULTILINE_INVALID_TARGET %s %s", self->target, m->params[0]);

      fail (c, what, _("A multiline batch goes to one target"));
      return TRUE;
    }
  text = m->params[1];
  concat = has_tag (m->tags, "draft/multiline-concat");
  self->bytes += strlen (text) + (self->texts->len && !concat ? 1 : 0);
  if (self->texts->len + 1 > SUDA_IRC_MULTILINE_MAX_LINES)
    {
      g_autofree char *what = g_strdup_printf ("MULTILINE_MAX_LINES %d", SUDA_IRC_MULTILINE_MAX_LINES);

      fail (c, what, _("The multiline batch has too many lines"));
      return TRUE;
    }
  if (self->bytes > SUDA_IRC_MULTILINE_MAX_BYTES)
    {
      g_autofree char *what = g_strdup_printf ("MULTILINE_MAX_BYTES %d", SUDA_IRC_MULTILINE_MAX_BYTES);

      fail (c, what, _("The multiline batch is too long"));
      return TRUE;
    }
  if (self->command == NULL)
    self->command = g_strdup (m->command);
  g_ptr_array_add (self->texts, g_strdup (text));
  g_array_append_val (self->concat, concat);
  return TRUE;
}

/* The batch as one text: lines joined by newlines, concatenated ones not. */
static char *
dup_joined (SudaIrcMultiline *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->texts->len; i++)
    {
      if (i > 0 && !g_array_index (self->concat, gboolean, i))
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (self->texts, i));
    }
  return g_string_free (text, FALSE);
}

typedef struct {
  SudaIrcMultiline *batch;
  SudaClient       *sender;
  const char       *target;    /* the name as registered */
  const char       *msgid;
  gint64            time;
  char             *id;
  GString          *rendered[4];   /* per server-time × message-tags */
} Fanout;

static GString *
render_batch (Fanout  *f,
              gboolean with_time,
              gboolean with_msgid)
{
  GString *out = g_string_new (NULL);
  g_autofree char *time = suda_irc_format_time_tag (f->time);

  if (with_time || with_msgid)
    g_string_append_printf (out, "@%s%s%s%s%s ", with_time ? "time=" : "", with_time ? time : "",
                            with_time && with_msgid ? ";" : "", with_msgid ? "msgid=" : "",
                            with_msgid ? f->msgid : "");
  g_string_append_printf (out, ":%s BATCH +%s draft/multiline %s\r\n", f->sender->mask, f->id, f->target);
  for (guint i = 0; i < f->batch->texts->len; i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      const char *params[] = { f->target, g_ptr_array_index (f->batch->texts, i) };
      g_autofree char *tags = g_strdup_printf ("batch=%s%s", f->id,
                                               g_array_index (f->batch->concat, gboolean, i)
                                               ? ";draft/multiline-concat" : "");

      suda_irc_append_line (line, tags, f->sender->mask, f->batch->command, params, 2);
      _suda_irc_fit (line);
      g_string_append_len (out, line->str, line->len);
    }
  g_string_append_printf (out, ":%s BATCH -%s\r\n", f->sender->mask, f->id);
  return out;
}

static void
send_to (Fanout     *f,
         SudaClient *to)
{
  if ((to->caps & SUDA_CAP_MULTILINE) && (to->caps & SUDA_CAP_BATCH))
    {
      gboolean with_time = (to->caps & SUDA_CAP_SERVER_TIME) != 0;
      gboolean with_msgid = (to->caps & SUDA_CAP_MESSAGE_TAGS) != 0;
      GString **out = &f->rendered[with_time * 2 + with_msgid];

      if (*out == NULL)
        *out = render_batch (f, with_time, with_msgid);
      _suda_client_send (to, (*out)->str, (*out)->len);
      return;
    }
  /* Without the cap: the lines one by one, the first with the msgid. */
  for (guint i = 0; i < f->batch->texts->len; i++)
    {
      SudaOutLine line = { .time = f->time, .source = f->sender->mask, .nick = f->sender->nick,
                           .command = f->batch->command, .target = f->target,
                           .text = g_ptr_array_index (f->batch->texts, i),
                           .msgid = i == 0 ? f->msgid : NULL, .bot = f->sender->bot,
                           .account = f->sender->account };

      _suda_delivery_send_line (&line, to);
      _suda_delivery_out_line_clear (&line);
    }
}

/* Logged once, kept line by line, then sent. */
static void
log_and_keep (Fanout      *f,
              SudaChannel *channel,
              SudaClient  *person)
{
  SudaCore *core = f->sender->core;
  g_autofree char *text = dup_joined (f->batch);
  gboolean notice = g_str_equal (f->batch->command, "NOTICE");
  g_autoptr(SudaLogEntry) entry = NULL;

  if (channel)
    entry = suda_log_entry_new (f->time, notice ? "notice" : "message", channel->name, f->sender->nick, text);
  else
    {
      entry = suda_log_entry_new (f->time, "whisper", NULL, f->sender->nick,
                                  core->config->log_whisper_text ? text : NULL);
      suda_log_entry_set_field (entry, "target", person->nick);
    }
  suda_log_entry_set_field (entry, "msgid", f->msgid);
  suda_log_entry_set_field (entry, "source", f->sender->mask);
  suda_log_entry_set_bool_field (entry, "multiline", TRUE);
  _suda_delivery_log (core->delivery, entry);
  if (channel)
    {
      SudaHistory *history = _suda_registry_get_history (core->registry, channel->name);

      for (guint i = 0; history && i < f->batch->texts->len; i++)
        suda_history_add (history, f->time, f->sender->mask, f->batch->command,
                          g_ptr_array_index (f->batch->texts, i), i == 0 ? f->msgid : NULL);
    }
}

static void
deliver (SudaClient       *c,
         SudaIrcMultiline *batch)
{
  SudaRegistry *registry = c->core->registry;
  gboolean echo = (c->caps & SUDA_CAP_ECHO_MESSAGE) != 0;
  gboolean notice = g_str_equal (batch->command, "NOTICE");
  SudaChannel *channel = NULL;
  SudaClient *person = NULL;
  g_autofree char *msgid = NULL;
  Fanout f = { .batch = batch, .sender = c, .time = g_get_real_time () };

  if (suda_irc_is_channel (batch->target))
    {
      channel = _suda_registry_find_channel (registry, batch->target);
      if (channel == NULL || !_suda_irc_may_send (c, channel))
        {
          if (!notice)
            _suda_irc_reply (c, channel ? SUDA_ERR_CANNOTSENDTOCHAN : SUDA_ERR_NOSUCHCHANNEL,
                             channel ? channel->name : batch->target, NULL);
          return;
        }
      f.target = channel->name;
    }
  else
    {
      person = _suda_registry_find_client (registry, batch->target);
      if (person == NULL || !person->registered)
        {
          if (!notice)
            _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, batch->target, NULL);
          return;
        }
      f.target = person->nick;
    }
  msgid = _suda_registry_next_msgid (registry);
  f.msgid = msgid;
  f.id = _suda_registry_next_batch_id (registry);
  log_and_keep (&f, channel, person);
  for (guint i = 0; channel && i < channel->members->len; i++)
    {
      SudaClient *member = g_array_index (channel->members, SudaMember, i).client;

      if (member != c || echo)
        send_to (&f, member);
    }
  if (person)
    {
      send_to (&f, person);
      if (echo && person != c)
        send_to (&f, c);
    }
  for (guint i = 0; i < G_N_ELEMENTS (f.rendered); i++)
    if (f.rendered[i])
      g_string_free (f.rendered[i], TRUE);
  g_free (f.id);
}

/* BATCH +ref draft/multiline target, and BATCH -ref. */
void
_suda_irc_cmd_batch (SudaClient     *c,
                     SudaIrcMessage *m)
{
  const char *ref = m->params[0];

  if (ref[0] == '+' && ref[1] != '\0')
    {
      if (m->n_params < 3 || !g_str_equal (m->params[1], "draft/multiline") ||
          !(c->caps & SUDA_CAP_MULTILINE) || c->multiline)
        {
          _suda_irc_fail (c, "BATCH", "MULTILINE_INVALID", _("Only one draft/multiline batch at a time is taken"));
          return;
        }
      c->multiline = g_new0 (SudaIrcMultiline, 1);
      c->multiline->ref = g_strdup (ref + 1);
      c->multiline->target = g_strdup (m->params[2]);
      c->multiline->texts = g_ptr_array_new_with_free_func (g_free);
      c->multiline->concat = g_array_new (FALSE, FALSE, sizeof (gboolean));
    }
  else if (ref[0] == '-' && c->multiline && g_str_equal (ref + 1, c->multiline->ref))
    {
      SudaIrcMultiline *batch = g_steal_pointer (&c->multiline);

      if (!batch->failed && batch->texts->len == 0)
        _suda_irc_fail (c, "BATCH", "MULTILINE_INVALID", _("The multiline batch is empty"));
      else if (!batch->failed)
        deliver (c, batch);
      _suda_irc_multiline_free (batch);
    }
  else
    _suda_irc_fail (c, "BATCH", "MULTILINE_INVALID", _("No such batch is open"));
}
