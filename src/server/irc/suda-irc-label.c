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

/* The command being handled answers later (CHATHISTORY reading the log):
 * its label, for _suda_irc_label_resume(); NULL when it has none. */
char *
_suda_irc_label_defer (SudaClient *client)
{
  if (client->label == NULL)
    return NULL;
  client->label_deferred = TRUE;
  return g_strdup (client->label);
}

/* After a deferring command: nothing goes out now. */
void
_suda_irc_label_drop (SudaClient *client)
{
  g_autoptr(GString) captured = g_steal_pointer (&client->capture);

  client->label_deferred = FALSE;
  /* Whatever it said meanwhile is not lost, only unlabelled. */
  if (captured && captured->len)
    _suda_client_send (client, captured->str, captured->len);
}

/* Before the late answer of a deferred command: what follows is held, to go
 * out labelled at _suda_irc_label_end(). */
void
_suda_irc_label_resume (SudaClient *client)
{
  g_assert (client->capture == NULL);
  client->capture = g_string_new (NULL);
}
