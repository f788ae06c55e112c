/* SPDX-License-Identifier: GPL-3.0-or-later */
/* MONITOR (IRCv3): a list of nicks whose coming and going a client is told
 * at once (730 online, 731 offline), instead of asking with ISON. */
#include "config.h"

#include <string.h>

#include "suda-irc-private.h"

/* Lists of nicks or masks go out in lines of about this much text. */
#define LIST_BYTES 400

/* Collects comma-separated items into numerics NUMBER, a line at a time. */
typedef struct {
  SudaClient *client;
  const char *number;
  GString    *items;
} NickList;

static void
list_flush (NickList *list)
{
  if (list->items->len)
    _suda_irc_replyf (list->client, list->number, ":%s", list->items->str);
  g_string_truncate (list->items, 0);
}

static void
list_add (NickList   *list,
          const char *item)
{
  if (list->items->len && list->items->len + strlen (item) + 1 > LIST_BYTES)
    list_flush (list);
  if (list->items->len)
    g_string_append_c (list->items, ',');
  g_string_append (list->items, item);
}

static void
list_init (NickList   *list,
           SudaClient *client,
           const char *number)
{
  list->client = client;
  list->number = number;
  list->items = g_string_new (NULL);
}

static void
list_finish (NickList *list)
{
  list_flush (list);
  g_string_free (list->items, TRUE);
}

/* Online: the mask of whoever has NICK now (the service user too). */
static char *
dup_online_mask (SudaClient *c,
                 const char *nick)
{
  SudaRegistry *registry = c->core->registry;
  SudaClient *who = _suda_registry_find_client (registry, nick);

  if (who && who->registered)
    return g_strdup (who->mask);
  if (_suda_registry_is_service (registry, nick))
    {
      const char *service = _suda_registry_get_service_nick (registry);

      return g_strdup_printf ("%s!%s@%s", service, service, _suda_irc_server_name (c));
    }
  return NULL;
}

static void
status_add (SudaClient *c,
            const char *nick,
            NickList   *online,
            NickList   *offline)
{
  g_autofree char *mask = dup_online_mask (c, nick);

  if (mask)
    list_add (online, mask);
  else
    list_add (offline, nick);
}

static void
monitor_add (SudaClient *c,
             const char *targets)
{
  g_auto(GStrv) nicks = g_strsplit (targets, ",", 0);
  NickList online, offline;

  list_init (&online, c, "730");
  list_init (&offline, c, "731");
  for (guint i = 0; nicks[i]; i++)
    {
      const char *nick = nicks[i];

      if (!suda_irc_is_valid_nick (nick, SUDA_IRC_NICKLEN))
        continue;
      if (c->monitoring && c->monitoring->len >= SUDA_IRC_MONITOR_MAX)
        {
          g_autofree char *rest = g_strjoinv (",", nicks + i);

          list_finish (&online);
          list_finish (&offline);
          _suda_irc_replyf (c, "734", "%d %s :Monitor list is full.", SUDA_IRC_MONITOR_MAX, rest);
          return;
        }
      if (_suda_registry_watch (c->core->registry, c, nick))
        status_add (c, nick, &online, &offline);
    }
  list_finish (&online);
  list_finish (&offline);
}

static void
monitor_remove (SudaClient *c,
                const char *targets)
{
  g_auto(GStrv) nicks = g_strsplit (targets, ",", 0);

  for (guint i = 0; nicks[i]; i++)
    _suda_registry_unwatch (c->core->registry, c, nicks[i]);
}

static void
monitor_list (SudaClient *c,
              gboolean    status)
{
  NickList online, offline;

  list_init (&online, c, status ? "730" : "732");
  list_init (&offline, c, "731");
  for (guint i = 0; c->monitoring && i < c->monitoring->len; i++)
    {
      const char *nick = g_ptr_array_index (c->monitoring, i);

      if (status)
        status_add (c, nick, &online, &offline);
      else
        list_add (&online, nick);
    }
  list_finish (&online);
  list_finish (&offline);
  if (!status)
    _suda_irc_replyf (c, "733", ":End of MONITOR list");
}

void
_suda_irc_cmd_monitor (SudaClient     *c,
                       SudaIrcMessage *m)
{
  const char *sub = m->params[0];

  if ((g_str_equal (sub, "+") || g_str_equal (sub, "-")) && (m->n_params < 2 || *m->params[1] == '\0'))
    _suda_irc_reply (c, SUDA_ERR_NEEDMOREPARAMS, "MONITOR", NULL);
  else if (g_str_equal (sub, "+"))
    monitor_add (c, m->params[1]);
  else if (g_str_equal (sub, "-"))
    monitor_remove (c, m->params[1]);
  else if (g_ascii_strcasecmp (sub, "C") == 0)
    _suda_registry_unwatch_all (c->core->registry, c);
  else if (g_ascii_strcasecmp (sub, "L") == 0)
    monitor_list (c, FALSE);
  else if (g_ascii_strcasecmp (sub, "S") == 0)
    monitor_list (c, TRUE);
  else
    _suda_irc_reply (c, SUDA_ERR_UNKNOWNCOMMAND, "MONITOR", NULL);
}

/* The registry says NICK came or went: whoever watches it is told. */
void
_suda_irc_monitor_presence (SudaRegistry *registry,
                            SudaClient   *client,
                            const char   *nick,
                            gboolean      online)
{
  GPtrArray *watchers = _suda_registry_get_watchers (registry, nick);

  for (guint i = 0; watchers && i < watchers->len; i++)
    {
      SudaClient *watcher = g_ptr_array_index (watchers, i);

      if (online)
        _suda_irc_replyf (watcher, "730", ":%s", client->mask);
      else
        _suda_irc_replyf (watcher, "731", ":%s", nick);
    }
}
