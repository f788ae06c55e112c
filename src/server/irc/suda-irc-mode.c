/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MODE: a user's own modes (+i, +w, -o) and a room's (+o +v +k +l, the
 * lists +b +e +I, +i +m +n +p +s +t), at most four changes a line,
 * announced to the room once. */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

#define MAX_MODE_CHANGES 4

typedef struct {
  SudaClient     *client;
  SudaIrcMessage *msg;
  SudaChannel    *channel;
  guint           next_arg;
} ModeChange;

static void
append_change (GString *applied,
               char    *last_sign,
               gboolean add,
               char     mode)
{
  if (*last_sign != (add ? '+' : '-'))
    g_string_append_c (applied, *last_sign = add ? '+' : '-');
  g_string_append_c (applied, mode);
}

static void
user_mode (SudaClient     *c,
           SudaIrcMessage *m)
{
  g_autoptr(GString) applied = g_string_new (NULL);
  gboolean add = TRUE;
  char last_sign = 0;

  if (suda_irc_casecmp (m->params[0], c->nick) != 0)
    {
      if (_suda_registry_find_client (c->core->registry, m->params[0]))
        _suda_irc_reply (c, SUDA_ERR_USERSDONTMATCH, NULL);
      else
        _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, m->params[0], NULL);
      return;
    }
  if (m->n_params < 2)
    {
      _suda_irc_replyf (c, "221", "+%s%s%s%s", c->bot ? "B" : "", c->invisible ? "i" : "",
                        c->oper ? "o" : "", c->wallops ? "w" : "");
      return;
    }
  for (const char *p = m->params[1]; *p; p++)
    {
      if (*p == '+' || *p == '-')
        add = *p == '+';
      else if (*p == 'i' && c->invisible != add)
        {
          c->invisible = add;
          append_change (applied, &last_sign, add, 'i');
        }
      else if (*p == 'w' && c->wallops != add)
        {
          c->wallops = add;
          append_change (applied, &last_sign, add, 'w');
        }
      else if (*p == 'o' && !add && c->oper)
        {
          c->oper = FALSE;
          append_change (applied, &last_sign, FALSE, 'o');
        }
      else if (*p == 'B' && c->bot != add)
        {
          c->bot = add;   /* IRCv3 bot mode (ISUPPORT BOT=B) */
          append_change (applied, &last_sign, add, 'B');
        }
      else if (!strchr ("iowB", *p))
        _suda_irc_reply (c, SUDA_ERR_UMODEUNKNOWNFLAG, NULL);
    }
  if (applied->len)
    _suda_irc_sendf (c, ":%s MODE %s :%s\r\n", c->mask, c->nick, applied->str);
}

/* The next parameter, or NULL (and 461) when there is none. */
static const char *
take_arg (ModeChange *change)
{
  if (change->next_arg >= change->msg->n_params)
    {
      _suda_irc_reply (change->client, SUDA_ERR_NEEDMOREPARAMS, "MODE", NULL);
      return NULL;
    }
  return change->msg->params[change->next_arg++];
}

/* [cluster]: a member on another server; its server applies the change
 * as the MODE reaches it (suda-cluster-rooms.c). */
static gboolean
apply_remote_member (ModeChange  *change,
                     const char  *nick,
                     guint        bit,
                     gboolean     add,
                     const char **shown)
{
  SudaRegistry *registry = change->client->core->registry;
  SudaRemoteUser *user = _suda_registry_find_remote (registry, nick);

  if (user == NULL || !_suda_registry_remote_is_in (registry, user, change->channel->name))
    return FALSE;
  /* Kept here too, for this server's NAMES and WHO. */
  _suda_registry_set_remote_flag (registry, user, change->channel->name, bit, add);
  *shown = user->nick;
  return TRUE;
}

static gboolean
apply_member (ModeChange  *change,
              char         mode,
              gboolean     add,
              const char **shown)
{
  guint bit = mode == 'o' ? SUDA_MEMBER_OP : SUDA_MEMBER_VOICE;
  const char *arg = take_arg (change);
  SudaClient *target;
  SudaMember *member;

  if (arg == NULL)
    return FALSE;
  target = _suda_registry_find_client (change->client->core->registry, arg);
  if (target == NULL && apply_remote_member (change, arg, bit, add, shown))
    return TRUE;
  if (target == NULL || !target->registered)
    {
      _suda_irc_reply (change->client, SUDA_ERR_NOSUCHNICK, arg, NULL);
      return FALSE;
    }
  member = suda_channel_find_member (change->channel, target);
  if (member == NULL)
    {
      _suda_irc_reply (change->client, SUDA_ERR_USERNOTINCHANNEL, arg, change->channel->name, NULL);
      return FALSE;
    }
  if (!suda_channel_set_member_flag (change->channel, target, bit, add))
    return FALSE;
  *shown = target->nick;
  return TRUE;
}

static gboolean
apply_key (ModeChange  *change,
           gboolean     add,
           const char **shown)
{
  SudaChannel *channel = change->channel;
  const char *arg;

  if (!add)
    {
      if (change->next_arg < change->msg->n_params)
        change->next_arg++;
      if (!suda_channel_set_key (channel, NULL))
        return FALSE;
      *shown = "*";
      return TRUE;
    }
  if ((arg = take_arg (change)) == NULL)
    return FALSE;
  /* A key with a space could never be given in a JOIN. */
  if (*arg == '\0' || strpbrk (arg, ", :") || arg[0] == '#')
    {
      _suda_irc_reply (change->client, SUDA_ERR_INVALIDKEY, channel->name, NULL);
      return FALSE;
    }
  suda_channel_set_key (channel, arg);
  *shown = arg;
  return TRUE;
}

static gboolean
apply_limit (ModeChange  *change,
             gboolean     add,
             const char **shown)
{
  SudaChannel *channel = change->channel;
  const char *arg;
  guint64 limit;

  if (!add)
    return suda_channel_set_limit (channel, 0);
  if ((arg = take_arg (change)) == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (arg, 10, 1, 100000, &limit, NULL))
    {
      g_autofree char *params = g_strdup_printf ("%s l %s", channel->name,
                                                  *arg && !strchr (arg, ' ') ? arg : "*");

      _suda_irc_reply (change->client, SUDA_ERR_INVALIDMODEPARAM, params, NULL);
      return FALSE;
    }
  suda_channel_set_limit (channel, limit);
  *shown = arg;
  return TRUE;
}

/* The room's list for a list mode: bans, exceptions (+e), invite
 * exceptions (+I). */
static GPtrArray **
list_for (SudaChannel *channel,
          char         mode)
{
  return mode == 'b' ? &channel->bans : mode == 'e' ? &channel->excepts : &channel->invex;
}

static gboolean
has_mask (GPtrArray  *list,
          const char *mask)
{
  g_autofree char *folded = suda_irc_casefold (mask);

  return g_ptr_array_find_with_equal_func (list, folded, g_str_equal, NULL);
}

static gboolean
apply_list (ModeChange  *change,
            char         mode,
            gboolean     add,
            const char **shown)
{
  SudaChannel *channel = change->channel;
  GPtrArray **list = list_for (channel, mode);
  const char *arg;

  if (change->next_arg >= change->msg->n_params)
    return FALSE;
  arg = change->msg->params[change->next_arg++];
  if (add && *list && (*list)->len >= SUDA_IRC_MAX_LIST && !has_mask (*list, arg))
    {
      _suda_irc_reply (change->client, SUDA_ERR_BANLISTFULL, channel->name, arg, NULL);
      return FALSE;
    }
  if (!suda_channel_set_mask (list, arg, add))
    return FALSE;
  *shown = arg;
  return TRUE;
}

static guint
flag_for (char mode)
{
  switch (mode)
    {
    case 'i': return SUDA_CHANNEL_INVITE_ONLY;
    case 'm': return SUDA_CHANNEL_MODERATED;
    case 'n': return SUDA_CHANNEL_NO_EXTERNAL;
    case 'p': return SUDA_CHANNEL_PRIVATE;
    case 's': return SUDA_CHANNEL_SECRET;
    case 't': return SUDA_CHANNEL_TOPIC_LOCK;
    default:  return 0;
    }
}

static gboolean
is_known (char mode)
{
  return strchr ("ovklbeI", mode) != NULL || flag_for (mode) != 0;
}

/* 472 for each unknown letter, whoever asks; FALSE when nothing known is left. */
static gboolean
report_unknown (SudaClient *c,
                const char *modes)
{
  gboolean known = FALSE;

  for (const char *p = modes; *p; p++)
    {
      char text[2] = { *p, '\0' };

      if (*p == '+' || *p == '-')
        continue;
      if (is_known (*p))
        known = TRUE;
      else
        _suda_irc_reply (c, SUDA_ERR_UNKNOWNMODE, text, NULL);
    }
  return known;
}

/* TRUE when MODE changed the room; *SHOWN is the parameter to announce. */
static gboolean
apply_one (ModeChange  *change,
           char         mode,
           gboolean     add,
           const char **shown)
{
  SudaChannel *channel = change->channel;
  guint flag;

  switch (mode)
    {
    case 'o':
    case 'v':
      return apply_member (change, mode, add, shown);
    case 'k':
      return apply_key (change, add, shown);
    case 'l':
      return apply_limit (change, add, shown);
    case 'b':
    case 'e':
    case 'I':
      return apply_list (change, mode, add, shown);
    default:
      break;
    }
  if ((flag = flag_for (mode)) == 0)
    return FALSE;  /* 472 was sent by report_unknown() */
  return suda_channel_set_flag (channel, flag, add);
}

static void
send_list (SudaClient  *c,
           SudaChannel *channel,
           char         mode)
{
  static const struct { char mode; const char *number; SudaNumeric end; } lists[] = {
    { 'b', "367", SUDA_RPL_ENDOFBANLIST },
    { 'e', "348", SUDA_RPL_ENDOFEXCEPTLIST },
    { 'I', "346", SUDA_RPL_ENDOFINVEXLIST },
  };
  GPtrArray *list = *list_for (channel, mode);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    if (lists[i].mode == mode)
      {
        for (guint j = 0; list && j < list->len; j++)
          _suda_irc_replyf (c, lists[i].number, "%s %s", channel->name, (char *) g_ptr_array_index (list, j));
        _suda_irc_reply (c, lists[i].end, channel->name, NULL);
      }
}

/* MODE #room with no change, or a list mode with no mask: the room's
 * modes, or that list. */
/* "b", "+e", "I": a list asked for, or 0. */
static char
list_query (const char *arg)
{
  if (arg[0] == '+')
    arg++;
  return arg[0] != '\0' && arg[1] == '\0' && strchr ("beI", arg[0]) ? arg[0] : 0;
}

static gboolean
channel_mode_query (SudaClient     *c,
                    SudaIrcMessage *m,
                    SudaChannel    *channel)
{
  char list;

  if (m->n_params < 2)
    {
      g_autofree char *modes = suda_channel_dup_modes (channel, suda_channel_has_member (channel, c));

      _suda_irc_replyf (c, "324", "%s %s", channel->name, modes);
      _suda_irc_replyf (c, "329", "%s %" G_GINT64_FORMAT, channel->name, channel->created);
      return TRUE;
    }
  if (m->n_params == 2 && (list = list_query (m->params[1])) != 0)
    {
      send_list (c, channel, list);
      return TRUE;
    }
  return FALSE;
}

static void
announce (SudaClient  *c,
          SudaChannel *channel,
          GString     *applied,
          GString     *args)
{
  g_autofree char *target = g_strdup_printf ("%s %s%s", channel->name, applied->str, args->str);
  g_autoptr(SudaLogEntry) entry = suda_log_entry_new (0, "mode", channel->name, c->nick,
                                                      target + strlen (channel->name) + 1);
  SudaOutLine line = { .time = g_get_real_time (), .source = c->mask, .nick = c->nick,
                       .command = "MODE", .target = target };

  _suda_delivery_to_channel (c->core->delivery, entry, &line, channel, NULL, FALSE);
}

static void
channel_mode (SudaClient     *c,
              SudaIrcMessage *m)
{
  ModeChange change = { .client = c, .msg = m, .next_arg = 2 };
  g_autoptr(GString) applied = g_string_new (NULL);
  g_autoptr(GString) args = g_string_new (NULL);
  guint n_changes = 0;
  gboolean add = TRUE;
  char last_sign = 0;

  change.channel = _suda_registry_find_channel (c->core->registry, m->params[0]);
  if (change.channel == NULL)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHCHANNEL, m->params[0], NULL);
      return;
    }
  if (channel_mode_query (c, m, change.channel) || !report_unknown (c, m->params[1]) ||
      !_suda_irc_channel_for_op (c, m->params[0], TRUE))
    return;

  for (const char *p = m->params[1]; *p && n_changes < MAX_MODE_CHANGES; p++)
    {
      const char *shown = NULL;

      if (*p == '+' || *p == '-')
        {
          add = *p == '+';
          continue;
        }
      if (!apply_one (&change, *p, add, &shown))
        continue;
      append_change (applied, &last_sign, add, *p);
      if (shown)
        g_string_append_printf (args, " %s", shown);
      n_changes++;
    }
  if (applied->len)
    announce (c, change.channel, applied, args);
}

void
_suda_irc_cmd_mode (SudaClient     *c,
                    SudaIrcMessage *m)
{
  if (suda_irc_is_channel (m->params[0]))
    channel_mode (c, m);
  else
    user_mode (c, m);
}
