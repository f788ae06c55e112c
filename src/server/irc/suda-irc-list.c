/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LIST, with the filters ISUPPORT ELIST=CMNTU names: rooms by user count
 * (>n <n), by age and topic age in minutes (C<n C>n T<n T>n), by name
 * mask (*study*) and by a mask they must not match (!*test*). */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

typedef struct {
  SudaClient   *client;
  gint64        min_users;        /* ">n" makes it n + 1 */
  gint64        max_users;        /* "<n" makes it n - 1 */
  gint64        created_before;   /* unix seconds, 0: no bound */
  gint64        created_after;
  gint64        topic_before;
  gint64        topic_after;
  GPtrArray    *masks;            /* GPatternSpec* on casefolded names */
  GPtrArray    *not_masks;
} ListFilter;

static guint
n_users (SudaClient  *c,
         SudaChannel *channel)
{
  guint service = _suda_registry_get_service_nick (c->core->registry) != NULL ? 1 : 0;

  GPtrArray *remote = _suda_registry_get_remote_members (c->core->registry, channel->name);

  /* [cluster]: the members on other servers count too. */
  return channel->members->len + service + (remote ? remote->len : 0);
}

static gboolean
passes_name (ListFilter *filter,
             const char *name,
             guint       users)
{
  g_autofree char *folded = NULL;

  if (users < filter->min_users || users > filter->max_users)
    return FALSE;
  if (filter->masks->len == 0 && filter->not_masks->len == 0)
    return TRUE;
  folded = suda_irc_casefold (name);
  for (guint i = 0; i < filter->not_masks->len; i++)
    if (g_pattern_spec_match_string (g_ptr_array_index (filter->not_masks, i), folded))
      return FALSE;
  for (guint i = 0; i < filter->masks->len; i++)
    if (g_pattern_spec_match_string (g_ptr_array_index (filter->masks, i), folded))
      return TRUE;
  return filter->masks->len == 0;
}

static gboolean
passes (ListFilter  *filter,
        SudaChannel *channel)
{
  if ((filter->created_before && channel->created >= filter->created_before) ||
      (filter->created_after && channel->created <= filter->created_after))
    return FALSE;
  if ((filter->topic_before && (channel->topic_time == 0 || channel->topic_time >= filter->topic_before)) ||
      (filter->topic_after && channel->topic_time <= filter->topic_after))
    return FALSE;
  return passes_name (filter, channel->name, n_users (filter->client, channel));
}

/* [cluster]: a room with no one on this server.  Its age and topic are its
 * servers' to know, so a filter on them leaves it out. */
static void
list_remote (gpointer key,
             gpointer value,
             gpointer user_data)
{
  const char *name = key;
  GPtrArray *members = value;
  ListFilter *filter = user_data;
  SudaRegistry *registry = filter->client->core->registry;
  guint users = members->len + (_suda_registry_get_service_nick (registry) != NULL ? 1 : 0);

  if (_suda_registry_find_channel (registry, name) != NULL ||
      filter->created_before || filter->created_after || filter->topic_before || filter->topic_after)
    return;
  if (passes_name (filter, name, users))
    _suda_irc_replyf (filter->client, "322", "%s %u :", name, users);
}

static void
list_one (gpointer data,
          gpointer user_data)
{
  SudaChannel *channel = data;
  ListFilter *filter = user_data;
  SudaClient *c = filter->client;

  /* A secret room is not there for outsiders; a private one is, without its topic. */
  if ((channel->modes & SUDA_CHANNEL_SECRET) && !_suda_irc_may_see (c, channel))
    return;
  if (!passes (filter, channel))
    return;
  _suda_irc_replyf (c, "322", "%s %u :%s", channel->name, n_users (c, channel),
                    channel->topic && _suda_irc_may_see (c, channel) ? channel->topic : "");
}

/* A number of minutes in a filter: FALSE when it is none. */
static gboolean
parse_minutes (const char *text,
               gint64     *minutes)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &value, NULL))
    return FALSE;
  *minutes = (gint64) value;
  return TRUE;
}

/* One comma-separated term; FALSE when it is no filter but a room's name. */
static gboolean
add_condition (ListFilter *filter,
               const char *term)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 n;

  if ((term[0] == '>' || term[0] == '<') && parse_minutes (term + 1, &n))
    {
      if (term[0] == '>')
        filter->min_users = MAX (filter->min_users, n + 1);
      else
        filter->max_users = MIN (filter->max_users, n - 1);
      return TRUE;
    }
  if ((term[0] == 'C' || term[0] == 'T') && (term[1] == '<' || term[1] == '>') &&
      parse_minutes (term + 2, &n))
    {
      /* "C<n": made less than n minutes ago, so after now - n minutes. */
      gint64 when = now - n * 60;
      gint64 *after = term[0] == 'C' ? &filter->created_after : &filter->topic_after;
      gint64 *before = term[0] == 'C' ? &filter->created_before : &filter->topic_before;

      if (term[1] == '<')
        *after = MAX (*after, when - 1);
      else
        *before = *before ? MIN (*before, when + 1) : when + 1;
      return TRUE;
    }
  if (strchr (term, '*') || strchr (term, '?') || term[0] == '!')
    {
      gboolean negated = term[0] == '!';
      g_autofree char *folded = suda_irc_casefold (term + (negated ? 1 : 0));

      g_ptr_array_add (negated ? filter->not_masks : filter->masks, g_pattern_spec_new (folded));
      return TRUE;
    }
  return FALSE;
}

static void
list_named (ListFilter *filter,
            char      **names)
{
  SudaClient *c = filter->client;

  for (guint i = 0; names[i] && i < c->core->config->max_targets; i++)
    {
      SudaChannel *channel = _suda_registry_find_channel (c->core->registry, names[i]);

      GPtrArray *remote = _suda_registry_get_remote_members (c->core->registry, names[i]);

      if (channel)
        list_one (channel, filter);
      else if (remote)
        list_remote (names[i], remote, filter);
    }
}

void
_suda_irc_cmd_list (SudaClient     *c,
                    SudaIrcMessage *m)
{
  ListFilter filter = { .client = c, .max_users = G_MAXINT64 };
  g_auto(GStrv) terms = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  gboolean filtered = FALSE;

  filter.masks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);
  filter.not_masks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);
  terms = g_strsplit (m->n_params ? m->params[0] : "", ",", 0);
  for (guint i = 0; terms[i]; i++)
    {
      if (*terms[i] == '\0')
        continue;
      if (add_condition (&filter, terms[i]))
        filtered = TRUE;
      else
        g_ptr_array_add (names, terms[i]);
    }
  g_ptr_array_add (names, NULL);

  _suda_irc_replyf (c, "321", "Channel :Users  Name");
  if (names->len > 1)
    list_named (&filter, (char **) names->pdata);
  else if (filtered || m->n_params == 0 || *m->params[0] == '\0')
    {
      _suda_registry_foreach_channel (c->core->registry, list_one, &filter);
      _suda_registry_foreach_remote_room (c->core->registry, list_remote, &filter);
    }
  _suda_irc_reply (c, SUDA_RPL_LISTEND, NULL);
  g_ptr_array_unref (filter.masks);
  g_ptr_array_unref (filter.not_masks);
}
