/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The IRC handler: checks a line, parses it and dispatches it through the
 * one command table below.  Adding a command is a row here and a function
 * in the file of its concern. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

typedef struct {
  const char         *name;
  guint               min_params;
  gboolean            registered_only;
  SudaIrcCommandFunc  func;
} SudaIrcCommand;

/* Sorted by name: looked up with bsearch(). */
static const SudaIrcCommand commands[] = {
  { "ADMIN",    0, TRUE,  _suda_irc_cmd_admin },
  { "AUTHENTICATE", 1, FALSE, _suda_irc_cmd_authenticate },
  { "AWAY",     0, TRUE,  _suda_irc_cmd_away },
  { "BATCH",    1, TRUE,  _suda_irc_cmd_batch },
  { "CAP",      1, FALSE, _suda_irc_cmd_cap },
  { "CERTFP",   0, TRUE,  _suda_irc_cmd_certfp },
  { "CHATHISTORY", 0, TRUE, _suda_irc_cmd_chathistory },
  { "FILEHOST", 1, TRUE,  _suda_irc_cmd_filehost },
  { "HELP",     0, TRUE,  _suda_irc_cmd_help },
  { "HELPOP",   0, TRUE,  _suda_irc_cmd_help },
  { "INFO",     0, TRUE,  _suda_irc_cmd_info },
  { "INVITE",   0, TRUE,  _suda_irc_cmd_invite },
  { "ISON",     1, TRUE,  _suda_irc_cmd_ison },
  { "JOIN",     1, TRUE,  _suda_irc_cmd_join },
  { "KICK",     2, TRUE,  _suda_irc_cmd_kick },
  { "KILL",     1, TRUE,  _suda_irc_cmd_kill },
  { "KNOCK",    1, TRUE,  _suda_irc_cmd_knock },
  { "LINKS",    0, TRUE,  _suda_irc_cmd_links },
  { "LIST",     0, TRUE,  _suda_irc_cmd_list },
  { "LUSERS",   0, FALSE, _suda_irc_cmd_lusers },
  { "MARKREAD", 0, TRUE,  _suda_irc_cmd_markread },
  { "MODE",     1, TRUE,  _suda_irc_cmd_mode },
  { "MONITOR",  1, TRUE,  _suda_irc_cmd_monitor },
  { "MOTD",     0, TRUE,  _suda_irc_cmd_motd },
  { "NAMES",    0, TRUE,  _suda_irc_cmd_names },
  { "NICK",     0, FALSE, _suda_irc_cmd_nick },
  { "NOTICE",   0, TRUE,  _suda_irc_cmd_notice },
  { "OPER",     2, TRUE,  _suda_irc_cmd_oper },
  { "PART",     1, TRUE,  _suda_irc_cmd_part },
  { "PASS",     1, FALSE, _suda_irc_cmd_pass },
  { "PING",     1, FALSE, _suda_irc_cmd_ping },
  { "PONG",     0, FALSE, _suda_irc_cmd_pong },
  { "PRIVMSG",  0, TRUE,  _suda_irc_cmd_privmsg },
  { "QUIT",     0, FALSE, _suda_irc_cmd_quit },
  { "REDACT",   2, TRUE,  _suda_irc_cmd_redact },
  { "REGISTER", 3, FALSE, _suda_irc_cmd_register },
  { "REHASH",   0, TRUE,  _suda_irc_cmd_rehash },
  { "SETNAME",  1, TRUE,  _suda_irc_cmd_setname },
  { "STATS",    0, TRUE,  _suda_irc_cmd_stats },
  { "TAGMSG",   1, TRUE,  _suda_irc_cmd_tagmsg },
  { "TIME",     0, TRUE,  _suda_irc_cmd_time },
  { "TOPIC",    1, TRUE,  _suda_irc_cmd_topic },
  { "USER",     4, FALSE, _suda_irc_cmd_user },
  { "USERHOST", 1, TRUE,  _suda_irc_cmd_userhost },
  { "VERSION",  0, TRUE,  _suda_irc_cmd_version },
  { "WALLOPS",  1, TRUE,  _suda_irc_cmd_wallops },
  { "WHO",      0, TRUE,  _suda_irc_cmd_who },
  { "WHOIS",    1, TRUE,  _suda_irc_cmd_whois },
  { "WHOWAS",   1, TRUE,  _suda_irc_cmd_whowas },
};

static int
compare_command (const void *key,
                 const void *element)
{
  return strcmp (key, ((const SudaIrcCommand *) element)->name);
}

static gboolean
looks_like_irc (const char *line)
{
  static const char * const first[] = { "CAP", "PASS", "NICK", "USER", "PING", "QUIT", "LUSERS",
                                        "AUTHENTICATE" };
  gsize word = strcspn (line, " ");

  if (line[0] == '@' || line[0] == ':')
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (first); i++)
    if (word == strlen (first[i]) && g_ascii_strncasecmp (line, first[i], word) == 0)
      return TRUE;
  return FALSE;
}

static void
too_long (SudaClient *c)
{
  _suda_irc_reply (c, SUDA_ERR_INPUTTOOLONG, NULL);
  _suda_client_close (c, "Line too long");
}

/* FALSE when the line is refused (and the client told). */
static gboolean
check_line (SudaClient *c,
            const char *line,
            gsize       len)
{
  gsize body_len = len;

  if (strlen (line) != len)
    _suda_irc_fail (c, "*", "INVALID_CHARACTER", _("Line rejected: it contains a NUL byte"));
  else if (strchr (line, '\r'))
    _suda_irc_fail (c, "*", "INVALID_CHARACTER", _("Line rejected: it contains a bare carriage return"));
  else if (!g_utf8_validate (line, len, NULL))
    _suda_irc_fail (c, "*", "INVALID_UTF8", _("Line rejected: it is not valid UTF-8"));
  else
    {
      if (line[0] == '@')
        {
          const char *space = strchr (line, ' ');

          gsize tags_len = space ? (gsize) (space - line) - 1 : len - 1;

          /* IRCv3 caps the tags at 8191 bytes with the '@' and the space;
           * more is no IRC client, and the line goes with the connection. */
          if (tags_len + 2 > SUDA_IRC_MAX_TAGS)
            {
              too_long (c);
              return FALSE;
            }
          /* Half of that is the client's: past it, 417 and no message. */
          if (tags_len > SUDA_IRC_MAX_CLIENT_TAGS)
            {
              _suda_irc_reply (c, SUDA_ERR_INPUTTOOLONG, NULL);
              return FALSE;
            }
          /* Tags and no command: malformed, which the parser reports. */
          body_len = space ? len - (space + 1 - line) : 0;
        }
      /* The limit counts the line's CR LF, which the reader has stripped.
       * A whole line read past it is dropped with 417 and the client kept,
       * as the Modern IRC document allows; only the reader's own bound
       * (no newline in sight) costs the connection. */
      if (body_len + 2 > c->core->config->max_line)
        {
          _suda_irc_reply (c, SUDA_ERR_INPUTTOOLONG, NULL);
          return FALSE;
        }
      return TRUE;
    }
  return FALSE;
}

static void
dispatch (SudaClient     *c,
          SudaIrcMessage *m,
          gsize           len)
{
  const SudaIrcCommand *command;

  command = bsearch (m->command, commands, G_N_ELEMENTS (commands), sizeof (SudaIrcCommand),
                     compare_command);
  if (command == NULL)
    {
      if (c->registered)
        _suda_irc_reply (c, SUDA_ERR_UNKNOWNCOMMAND, m->command, NULL);
      else
        _suda_irc_reply (c, SUDA_ERR_NOTREGISTERED, NULL);
      return;
    }
  if (!c->registered && command->registered_only)
    {
      _suda_irc_reply (c, SUDA_ERR_NOTREGISTERED, NULL);
      return;
    }
  if (m->n_params < command->min_params)
    {
      _suda_irc_reply (c, SUDA_ERR_NEEDMOREPARAMS, command->name, NULL);
      return;
    }
  c->core->irc->counts[command - commands]++;
  c->core->irc->bytes[command - commands] += len;
  command->func (c, m);
}

SudaIrcState *
_suda_irc_state_new (void)
{
  SudaIrcState *state = g_new0 (SudaIrcState, 1);

  g_queue_init (&state->whowas);
  state->counts = g_new0 (guint, G_N_ELEMENTS (commands));
  state->bytes = g_new0 (guint64, G_N_ELEMENTS (commands));
  return state;
}

static void
whowas_free (gpointer data)
{
  SudaIrcWhowas *was = data;

  g_free (was->nick);
  g_free (was->user);
  g_free (was->host);
  g_free (was->realname);
  g_free (was);
}

void
_suda_irc_state_free (SudaIrcState *state)
{
  if (state == NULL)
    return;
  g_queue_clear_full (&state->whowas, whowas_free);
  g_free (state->counts);
  g_free (state->bytes);
  g_free (state);
}

/* The name, minimum parameters and use count of row INDEX; NULL past the end. */
const char *
_suda_irc_command_name (guint  index,
                        guint *min_params)
{
  if (index >= G_N_ELEMENTS (commands))
    return NULL;
  if (min_params)
    *min_params = commands[index].min_params;
  return commands[index].name;
}

/* How many nicks WHOWAS remembers, for the whole server. */
#define WHOWAS_MAX 200

/* A nick left behind (by NICK or by leaving) goes to the WHOWAS ring. */
void
_suda_irc_remember_nick (SudaClient *c)
{
  GQueue *ring = &c->core->irc->whowas;
  SudaIrcWhowas *was;

  if (!c->registered || c->nick == NULL)
    return;
  was = g_new0 (SudaIrcWhowas, 1);
  was->nick = g_strdup (c->nick);
  was->user = g_strdup (c->user);
  was->host = g_strdup (c->host);
  was->realname = g_strdup (c->realname);
  was->time = g_get_real_time () / G_USEC_PER_SEC;
  g_queue_push_head (ring, was);
  while (ring->length > WHOWAS_MAX)
    whowas_free (g_queue_pop_tail (ring));
}

static void
irc_line (SudaClient *c,
          char       *line,
          gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  SudaIrcMessage m;

  g_clear_handle_id (&c->greeting_id, _suda_source_remove);
  if (len == 0 || strspn (line, " ") == len)
    return;  /* RFC 1459: empty lines are ignored silently */
  if (!check_line (c, line, len))
    return;

  /* A first line that is no IRC registration makes a plain-text session,
   * so nc, telnet and the seeds' console clients can chat. */
  if (!c->registered && !c->greeted && !looks_like_irc (line) && c->fallback)
    {
      c->greeted = TRUE;
      c->protocol = c->fallback;
      c->protocol->line (c, line, len);
      return;
    }

  if (!suda_irc_message_parse (&m, line, &error))
    {
      if (!g_error_matches (error, SUDA_IRC_ERROR, SUDA_IRC_ERROR_EMPTY))
        _suda_irc_reply (c, SUDA_ERR_MALFORMED, "*", NULL);
      return;
    }
  if (!c->greeted)
    {
      c->greeted = TRUE;
      _suda_session_set_pause_ends_line (c->session, FALSE);
    }
  /* A line of an open draft/multiline batch waits for the batch's end. */
  if (c->multiline && _suda_irc_multiline_take (c, &m))
    return;
  label = _suda_irc_label_begin (c, &m);
  c->label = label;
  dispatch (c, &m, len);
  c->label = NULL;
  if (label && c->label_deferred)
    _suda_irc_label_drop (c);
  else if (label)
    _suda_irc_label_end (c, label);
}

static void
irc_overlong (SudaClient *c)
{
  _suda_irc_reply (c, SUDA_ERR_INPUTTOOLONG, NULL);
}

static void
irc_closed (SudaClient *c,
            const char *reason)
{
  /* The reason may be a client's long QUIT text: the line stays within 512 bytes. */
  int room = SUDA_IRC_MAX_LINE - (int) strlen ("ERROR :Closing link:  ()\r\n") - (int) strlen (c->host);

  g_clear_pointer (&c->multiline, _suda_irc_multiline_free);
  g_clear_handle_id (&c->greeting_id, _suda_source_remove);
  _suda_irc_account_closed (c);
  _suda_irc_remember_nick (c);
  _suda_client_sendf (c, "ERROR :Closing link: %s (%.*s)\r\n", c->host,
                      (int) suda_utf8_truncate (reason, strlen (reason), MAX (room, 0)), reason);
}

const SudaProtocol _suda_irc_protocol = {
  .line = irc_line,
  .overlong = irc_overlong,
  .closed = irc_closed,
  .welcome = _suda_irc_welcome,
  .joined = _suda_irc_joined,
  .plain = FALSE,
};

/* IRC clients speak first, at once; a connection still silent by then is
 * a person on a terminal waiting to be told what to type. */
#define GREETING_DELAY_MS 1000

static gboolean
on_greeting_due (gpointer data)
{
  SudaClient *c = data;

  c->greeting_id = 0;
  /* Plain words, not a NOTICE: whoever reads it is no IRC client. */
  _suda_client_sendf (c, "*** %s\r\n",
                      _("Welcome to Suda. Type your nickname and press Enter."));
  return G_SOURCE_REMOVE;
}

/* Until its first line, a connection may be a person on a terminal, whose
 * client sends a line with no newline: a pause ends it. */
void
_suda_irc_accept (SudaClient         *client,
                  const SudaProtocol *fallback)
{
  client->protocol = &_suda_irc_protocol;
  client->fallback = fallback;
  _suda_session_set_pause_ends_line (client->session, TRUE);
  if (fallback)
    client->greeting_id = _suda_timeout_add (GREETING_DELAY_MS, on_greeting_due, client);
}
