/* SPDX-License-Identifier: GPL-3.0-or-later */
/* IRCv3 labeled-response: what a command with a "label" tag makes the
 * server send its client is held while the command runs, then goes out
 * labelled: one line tagged, several in a labeled-response batch, none as
 * an ACK.  Every command is covered, because the capture is around the
 * dispatch, not in the handlers. */
#include "config.h"

#include <string.h>

#include "suda-irc-private.h"

/* The label as the client wrote it (still escaped, as it goes back), or
 * NULL when the client did not ask for labels. */
char *
_suda_irc_label_begin (SudaClient     *client,
                       SudaIrcMessage *m)
{
  const char *p;

  if (!(client->caps & SUDA_CAP_LABELED_RESPONSE) || m->tags == NULL || client->protocol->plain)
    return NULL;
  for (p = m->tags; *p; p += strcspn (p, ";") + (p[strcspn (p, ";")] ? 1 : 0))
    if (g_str_has_prefix (p, "label=") && p[strlen ("label=")] && p[strlen ("label=")] != ';')
      {
        const char *value = p + strlen ("label=");

        client->capture = g_string_new (NULL);
        return g_strndup (value, strcspn (value, ";"));
      }
  return NULL;
}

/* LINE (with its CR LF) with TAG in front of the tags it has. */
static void
append_tagged (GString    *out,
               const char *line,
               gsize       len,
               const char *tag)
{
  if (line[0] == '@')
    {
      g_string_append_printf (out, "@%s;", tag);
      g_string_append_len (out, line + 1, len - 1);
    }
  else
    {
      g_string_append_printf (out, "@%s ", tag);
      g_string_append_len (out, line, len);
    }
}

static gboolean
has_batch_tag (const char *line)
{
  gsize end = line[0] == '@' ? strcspn (line, " ") : 0;

  for (const char *p = line + 1; p < line + end; p += strcspn (p, "; ") + 1)
    if (g_str_has_prefix (p, "batch="))
      return TRUE;
  return FALSE;
}

static guint
count_lines (const GString *captured)
{
  guint n = 0;

  for (const char *p = captured->str; (p = strstr (p, "\r\n")) != NULL; p += 2)
    n++;
  return n;
}

/* Several lines: each not yet in a batch of its own goes into the
 * labelled one (a chathistory batch inside it opens and closes in it). */
static void
wrap_in_batch (SudaClient    *client,
               const GString *captured,
               const char    *label,
               GString       *out)
{
  g_autofree char *id = _suda_registry_next_batch_id (client->core->registry);
  g_autofree char *batch_tag = g_strdup_printf ("batch=%s", id);
  const char *server = _suda_irc_server_name (client);
  const char *line = captured->str;
  const char *end;

  g_string_append_printf (out, "@label=%s :%s BATCH +%s labeled-response\r\n", label, server, id);
  for (; (end = strstr (line, "\r\n")) != NULL; line = end + 2)
    {
      gsize len = end + 2 - line;

      if (has_batch_tag (line))
        g_string_append_len (out, line, len);
      else
        append_tagged (out, line, len, batch_tag);
    }
  g_string_append_printf (out, ":%s BATCH -%s\r\n", server, id);
}

void
_suda_irc_label_end (SudaClient *client,
                     const char *label)
{
  g_autoptr(GString) captured = g_steal_pointer (&client->capture);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *tag = g_strdup_printf ("label=%s", label);
  guint n = count_lines (captured);

  /* A client on its way out (QUIT, an error) gets its last words as they are. */
  if (_suda_client_is_closing (client))
    g_string_append_len (out, captured->str, captured->len);
  else if (n == 0)
    g_string_append_printf (out, "@%s :%s ACK\r\n", tag, _suda_irc_server_name (client));
  else if (n == 1)
    append_tagged (out, captured->str, captured->len, tag);
  else if (client->caps & SUDA_CAP_BATCH)
    wrap_in_batch (client, captured, label, out);
  else
    g_string_append_len (out, captured->str, captured->len);
  _suda_client_send (client, out->str, out->len);
}

/* After a command that answers later (a SudaIrcLabelWait): nothing goes
 * out now. */
void
_suda_irc_label_drop (SudaClient *client)
{
  g_autoptr(GString) captured = g_steal_pointer (&client->capture);

  client->label_deferred = FALSE;
  /* Whatever it said meanwhile is not lost, only unlabelled. */
  if (captured && captured->len)
    _suda_client_send (client, captured->str, captured->len);
}

struct _SudaIrcLabelWait
{
  guint    ref;
  guint    parts;     /* still to come */
  char    *label;
  GString *answer;    /* what was said so far */
  GString *outer;     /* another command's capture, kept aside during a part */
};

/* NULL when the command being handled has no label: every function below
 * takes NULL and does nothing. */
SudaIrcLabelWait *
_suda_irc_label_wait_new (SudaClient *client)
{
  SudaIrcLabelWait *wait;

  if (client->label == NULL)
    return NULL;
  wait = g_new0 (SudaIrcLabelWait, 1);
  wait->ref = 1;
  wait->label = g_strdup (client->label);
  return wait;
}

/* One more part to come: a reference for whoever runs it */
SudaIrcLabelWait *
_suda_irc_label_wait_add_part (SudaIrcLabelWait *wait)
{
  if (wait == NULL)
    return NULL;
  wait->parts++;
  wait->ref++;
  return wait;
}

/* A part that will not come after all: it runs now, within the command */
void
_suda_irc_label_wait_drop_part (SudaIrcLabelWait *wait)
{
  if (wait == NULL)
    return;
  wait->parts--;
  _suda_irc_label_wait_unref (wait);
}

void
_suda_irc_label_wait_unref (gpointer data)
{
  SudaIrcLabelWait *wait = data;

  if (wait == NULL || --wait->ref > 0)
    return;
  if (wait->answer != NULL)
    g_string_free (wait->answer, TRUE);
  g_free (wait->label);
  g_free (wait);
}

/* The command ends: with parts to come, what it has said waits for them */
void
_suda_irc_label_wait_defer (SudaIrcLabelWait *wait,
                            SudaClient       *client)
{
  if (wait == NULL || wait->parts == 0)
    return;
  client->label_deferred = TRUE;
  wait->answer = g_steal_pointer (&client->capture);
}

/* Around a part: what CLIENT is sent meanwhile joins the answer */
void
_suda_irc_label_wait_part_begin (SudaIrcLabelWait *wait,
                                 SudaClient       *client)
{
  if (wait == NULL)
    return;
  wait->outer = g_steal_pointer (&client->capture);
  client->capture = wait->answer ? g_steal_pointer (&wait->answer) : g_string_new (NULL);
}

void
_suda_irc_label_wait_part_end (SudaIrcLabelWait *wait,
                               SudaClient       *client)
{
  if (wait == NULL)
    return;
  if (--wait->parts == 0)
    _suda_irc_label_end (client, wait->label);
  else
    wait->answer = g_steal_pointer (&client->capture);
  client->capture = g_steal_pointer (&wait->outer);
}
