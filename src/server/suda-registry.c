/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who is here: the clients by nick, the rooms by name, each room's recent
 * history, and the counts LUSERS and the console show. */
#include "config.h"

#include <string.h>

#include "suda-irc-message.h"
#include "suda-server-private.h"

#define OPER_FAILURE_WINDOW_USEC (10 * 60 * G_USEC_PER_SEC)
/* Read markers move with every read; their file follows this long after. */
#define READ_MARKERS_SAVE_SECONDS 30

typedef struct {
  guint  n;
  gint64 since;   /* monotonic usec of the first in this window */
} OperFailures;

struct _SudaRegistry
{
  const SudaServerConfig *config;    /* the server's */
  char                   *service_nick;  /* NULL when there is no service user */
  GHashTable             *nicks;     /* nick (casefolded) → SudaClient */
  GHashTable             *channels;  /* name (casefolded) → SudaChannel */
  GHashTable             *histories; /* name (casefolded) → SudaHistory */
  GHashTable             *addresses; /* host → connections from it (GUINT_TO_POINTER) */
  GHashTable             *oper_failures;  /* host → OperFailures */
  guint                   n_connections;
  guint                   n_registered;
  guint                   max_registered;
  guint                   next_batch_id;
  guint64                 next_msgid;
  guint64                 history_clock;  /* ticks at each use of a history */
  guint32                 msgid_epoch;  /* random per run: ids stay unique across restarts */
  GCallback               counts_notify;
  gpointer                counts_data;
  GHashTable             *watchers;  /* nick (casefolded) → GPtrArray of SudaClient (MONITOR) */
  SudaPresenceFunc        presence;
  GHashTable             *read_markers;  /* account or nick (casefolded) → target (casefolded) → gint64 usec */
  char                   *read_markers_path;  /* NULL: kept in memory only */
  guint                   read_markers_save_id;
  GHashTable             *remote;    /* nick (casefolded) → SudaRemoteUser: on other servers */
  GHashTable             *remote_rooms;  /* name (casefolded) → GPtrArray of SudaRemoteUser */
};

static void remote_user_free (gpointer data);

SudaRegistry *
_suda_registry_new (const SudaServerConfig *config)
{
  SudaRegistry *self = g_new0 (SudaRegistry, 1);

  self->config = config;
  self->msgid_epoch = g_random_int ();
  if (config->service_nick != NULL && *config->service_nick != '\0')
    self->service_nick = g_strdup (config->service_nick);
  self->nicks = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                       g_free, NULL);
  self->channels = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                          NULL, (GDestroyNotify) suda_channel_free);
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->oper_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->watchers = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                          g_free, (GDestroyNotify) g_ptr_array_unref);
  self->read_markers = _suda_read_markers_new_table ();
  self->remote = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                        g_free, remote_user_free);
  self->remote_rooms = g_hash_table_new_full (suda_irc_casefold_hash, suda_irc_casefold_equal,
                                              g_free, (GDestroyNotify) g_ptr_array_unref);
  return self;
}

static void
write_read_markers (SudaRegistry *self)
{
  g_autoptr(GError) error = NULL;

  if (!_suda_read_markers_save (self->read_markers, self->read_markers_path, &error))
    g_message ("Cannot keep the read markers: %s", error->message);
}

static gboolean
on_save_read_markers (gpointer data)
{
  SudaRegistry *self = data;

  self->read_markers_save_id = 0;
  write_read_markers (self);
  return G_SOURCE_REMOVE;
}

/* Writes the markers now if they moved since the last write. */
static void
save_read_markers (SudaRegistry *self)
{
  if (self->read_markers_save_id == 0)
    return;
  g_clear_handle_id (&self->read_markers_save_id, _suda_source_remove);
  write_read_markers (self);
}

void
_suda_registry_free (SudaRegistry *self)
{
  if (self == NULL)
    return;
  save_read_markers (self);
  g_free (self->read_markers_path);
  g_hash_table_unref (self->nicks);
  g_hash_table_unref (self->channels);
  g_hash_table_unref (self->addresses);
  g_hash_table_unref (self->oper_failures);
  g_hash_table_unref (self->watchers);
  g_hash_table_unref (self->read_markers);
  g_hash_table_unref (self->remote_rooms);
  g_hash_table_unref (self->remote);
  g_clear_pointer (&self->histories, g_hash_table_unref);
  g_free (self->service_nick);
  g_free (self);
}

/* A start begins with the histories loaded from the log; a stop (NULL)
 * forgets everyone and everything. */
void
_suda_registry_reset (SudaRegistry *self,
                      GHashTable   *histories)
{
  g_hash_table_remove_all (self->nicks);
  g_hash_table_remove_all (self->channels);
  g_hash_table_remove_all (self->addresses);
  g_hash_table_remove_all (self->watchers);
  g_hash_table_remove_all (self->remote_rooms);
  g_hash_table_remove_all (self->remote);
  g_clear_pointer (&self->histories, g_hash_table_unref);
  self->histories = histories;
  self->n_connections = self->n_registered = 0;
  /* A stop writes the markers out; a start reads them (the port is known
   * by then, for a server without a log). */
  save_read_markers (self);
  if (histories != NULL)
    {
      g_free (self->read_markers_path);
      self->read_markers_path = _suda_read_markers_dup_path (self->config);
      if (self->read_markers_path)
        _suda_read_markers_load (self->read_markers, self->read_markers_path);
    }
}

static gint64
last_time (SudaHistory *history)
{
  SudaHistoryItem *item = g_queue_peek_tail (&history->items);

  return item ? item->time : 0;
}

/* Drops the least recently used history (never the default room's nor
 * KEEP's); histories read from the log are unused, oldest message first.
 * A scan, but only when a new history is over the cap, not per message. */
static gboolean
evict_history (SudaRegistry *self,
               const char   *keep)
{
  GHashTableIter iter;
  gpointer name, value;
  gpointer victim = NULL;
  SudaHistory *oldest = NULL;

  g_hash_table_iter_init (&iter, self->histories);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      SudaHistory *history = value;

      if ((keep && suda_irc_casecmp (name, keep) == 0) ||
          suda_irc_casecmp (name, self->config->default_channel) == 0)
        continue;
      if (oldest == NULL || history->used < oldest->used ||
          (history->used == oldest->used && last_time (history) < last_time (oldest)))
        {
          oldest = history;
          victim = name;
        }
    }
  return victim != NULL && g_hash_table_remove (self->histories, victim);
}

static int
compare_use (gconstpointer a,
             gconstpointer b,
             gpointer      histories)
{
  SudaHistory *x = g_hash_table_lookup (histories, *(const char **) a);
  SudaHistory *y = g_hash_table_lookup (histories, *(const char **) b);

  if (x->used != y->used)
    return x->used < y->used ? -1 : 1;
  return last_time (x) < last_time (y) ? -1 : last_time (x) > last_time (y);
}

/* Down to the cap at once, least recently used first: a log of many rooms
 * would make one scan per eviction quadratic. */
static void
trim_histories (SudaRegistry *self)
{
  guint size = g_hash_table_size (self->histories);
  g_autoptr(GPtrArray) names = NULL;
  GHashTableIter iter;
  gpointer name;
  guint excess;

  if (size <= self->config->history_rooms)
    return;
  excess = size - self->config->history_rooms;
  names = g_ptr_array_new_full (size, g_free);
  g_hash_table_iter_init (&iter, self->histories);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (suda_irc_casecmp (name, self->config->default_channel) != 0)
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort_with_data (names, compare_use, self->histories);
  for (guint i = 0; i < MIN (excess, names->len); i++)
    g_hash_table_remove (self->histories, g_ptr_array_index (names, i));
}

/* Histories read from the log after the start: OLDER's items go before
 * what the rooms heard meanwhile. */
void
_suda_registry_adopt_histories (SudaRegistry *self,
                                GHashTable   *older)
{
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, older);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      SudaHistory *history = value;
      SudaHistory *newer = g_hash_table_lookup (self->histories, name);

      for (GList *l = newer ? newer->items.head : NULL; l; l = l->next)
        {
          SudaHistoryItem *item = l->data;

          suda_history_add (history, item->time, item->source, item->command, item->text,
                            item->msgid);
        }
      history->used = newer ? newer->used : 0;
      g_hash_table_iter_steal (&iter);
      g_hash_table_replace (self->histories, name, history);
    }
  trim_histories (self);
}

void
_suda_registry_set_counts_notify (SudaRegistry *self,
                                  GCallback     notify,
                                  gpointer      data)
{
  self->counts_notify = notify;
  self->counts_data = data;
}

static void
counts_changed (SudaRegistry *self)
{
  if (self->counts_notify)
    ((void (*) (gpointer)) self->counts_notify) (self->counts_data);
}

const char *
_suda_registry_get_service_nick (SudaRegistry *self)
{
  return self->service_nick;
}

gboolean
_suda_registry_is_service (SudaRegistry *self,
                           const char   *nick)
{
  return self->service_nick != NULL && suda_irc_casecmp (nick, self->service_nick) == 0;
}

/* Clients ------------------------------------------------------------------ */

void
_suda_client_free (gpointer data)
{
  SudaClient *client = data;

  g_free (client->nick);
  g_free (client->user);
  g_free (client->realname);
  g_free (client->host);
  g_free (client->mask);
  g_free (client->pass);
  g_free (client->away);
  g_free (client->account);
  g_clear_pointer (&client->monitoring, g_ptr_array_unref);
  if (client->capture)
    g_string_free (client->capture, TRUE);
  g_ptr_array_unref (client->channels);
  g_free (client);
}

/* The client lives as long as its session: the caller makes the session
 * its owner, with _suda_client_free(). */
SudaClient *
_suda_registry_add_client (SudaRegistry *self,
                           SudaCore     *core,
                           SudaSession  *session,
                           const char   *host)
{
  SudaClient *client = g_new0 (SudaClient, 1);

  client->core = core;
  client->session = session;
  client->host = g_strdup (host);
  client->channels = g_ptr_array_new ();
  self->n_connections++;
  g_hash_table_replace (self->addresses, g_strdup (host),
                        GUINT_TO_POINTER (_suda_registry_count_address (self, host) + 1));
  return client;
}

guint
_suda_registry_count_address (SudaRegistry *self,
                              const char   *host)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->addresses, host));
}

guint
_suda_registry_count_oper_failures (SudaRegistry *self,
                                    const char   *host)
{
  OperFailures *failures = g_hash_table_lookup (self->oper_failures, host);

  if (failures == NULL)
    return 0;
  if (g_get_monotonic_time () - failures->since > OPER_FAILURE_WINDOW_USEC)
    {
      g_hash_table_remove (self->oper_failures, host);
      return 0;
    }
  return failures->n;
}

void
_suda_registry_note_oper_failure (SudaRegistry *self,
                                  const char   *host)
{
  OperFailures *failures;

  if (_suda_registry_count_oper_failures (self, host) == 0)
    {
      failures = g_new0 (OperFailures, 1);
      failures->since = g_get_monotonic_time ();
      g_hash_table_replace (self->oper_failures, g_strdup (host), failures);
    }
  else
    failures = g_hash_table_lookup (self->oper_failures, host);
  failures->n++;
}

void
_suda_registry_remove_client (SudaRegistry *self,
                              SudaClient   *client)
{
  guint from_host = _suda_registry_count_address (self, client->host);

  self->n_connections--;
  if (from_host > 1)
    g_hash_table_replace (self->addresses, g_strdup (client->host), GUINT_TO_POINTER (from_host - 1));
  else
    g_hash_table_remove (self->addresses, client->host);
  if (client->registered)
    {
      self->n_registered--;
      counts_changed (self);
    }
  _suda_registry_unwatch_all (self, client);
}

SudaClient *
_suda_client_from_session (SudaSession *session)
{
  return _suda_session_get_owner (session);
}

SudaClient *
_suda_registry_find_client (SudaRegistry *self,
                            const char   *nick)
{
  return nick ? g_hash_table_lookup (self->nicks, nick) : NULL;
}

/* The nick table holds registered users and those registering, so two
 * connections can never register the same name. */
gboolean
_suda_registry_nick_in_use (SudaRegistry *self,
                            const char   *nick)
{
  return g_hash_table_contains (self->nicks, nick) || _suda_registry_is_service (self, nick) ||
         g_hash_table_contains (self->remote, nick);
}

void
_suda_registry_claim_nick (SudaRegistry *self,
                           SudaClient   *client,
                           const char   *nick)
{
  g_autofree char *copy = g_strdup (nick);  /* NICK may be client->nick itself */
  g_autofree char *old = g_strdup (client->nick);
  /* A change of case only is the same person to a MONITOR list. */
  gboolean renamed = client->registered && old && suda_irc_casecmp (old, copy) != 0;

  if (client->nick && g_hash_table_lookup (self->nicks, client->nick) == client)
    g_hash_table_remove (self->nicks, client->nick);
  g_hash_table_insert (self->nicks, g_strdup (copy), client);
  /* A new holder of a nick reads none of what was said to it before. */
  if (old == NULL || suda_irc_casecmp (old, copy) != 0)
    client->nick_since = g_get_real_time ();
  _suda_client_set_nick (client, copy);
  if (renamed && self->presence)
    {
      self->presence (self, client, old, FALSE);
      self->presence (self, client, client->nick, TRUE);
    }
}

void
_suda_registry_release_nick (SudaRegistry *self,
                             SudaClient   *client)
{
  if (client->nick && g_hash_table_lookup (self->nicks, client->nick) == client)
    {
      g_hash_table_remove (self->nicks, client->nick);
      if (client->registered && self->presence)
        self->presence (self, client, client->nick, FALSE);
    }
}

void
_suda_registry_set_registered (SudaRegistry *self,
                               SudaClient   *client)
{
  client->registered = TRUE;
  _suda_client_set_nick (client, client->nick);  /* the mask, now with its user name */
  _suda_session_set_registered (client->session);
  self->n_registered++;
  self->max_registered = MAX (self->max_registered, self->n_registered);
  counts_changed (self);
  if (self->presence)
    self->presence (self, client, client->nick, TRUE);
}

/* MONITOR ------------------------------------------------------------------------ */

void
_suda_registry_set_presence_notify (SudaRegistry     *self,
                                    SudaPresenceFunc  presence)
{
  self->presence = presence;
}

/* FALSE when CLIENT watched NICK already. */
gboolean
_suda_registry_watch (SudaRegistry *self,
                      SudaClient   *client,
                      const char   *nick)
{
  GPtrArray *watchers = g_hash_table_lookup (self->watchers, nick);

  if (watchers == NULL)
    {
      watchers = g_ptr_array_new ();
      g_hash_table_insert (self->watchers, g_strdup (nick), watchers);
    }
  else if (g_ptr_array_find (watchers, client, NULL))
    return FALSE;
  g_ptr_array_add (watchers, client);
  if (client->monitoring == NULL)
    client->monitoring = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (client->monitoring, g_strdup (nick));
  return TRUE;
}

static void
drop_watcher (SudaRegistry *self,
              SudaClient   *client,
              const char   *nick)
{
  GPtrArray *watchers = g_hash_table_lookup (self->watchers, nick);

  if (watchers && g_ptr_array_remove_fast (watchers, client) && watchers->len == 0)
    g_hash_table_remove (self->watchers, nick);
}

void
_suda_registry_unwatch (SudaRegistry *self,
                        SudaClient   *client,
                        const char   *nick)
{
  if (client->monitoring == NULL)
    return;
  for (guint i = 0; i < client->monitoring->len; i++)
    if (suda_irc_casecmp (g_ptr_array_index (client->monitoring, i), nick) == 0)
      {
        drop_watcher (self, client, g_ptr_array_index (client->monitoring, i));
        g_ptr_array_remove_index (client->monitoring, i);
        return;
      }
}

void
_suda_registry_unwatch_all (SudaRegistry *self,
                            SudaClient   *client)
{
  if (client->monitoring == NULL)
    return;
  for (guint i = 0; i < client->monitoring->len; i++)
    drop_watcher (self, client, g_ptr_array_index (client->monitoring, i));
  g_ptr_array_set_size (client->monitoring, 0);
}

/* Who watches NICK (SudaClient, borrowed), or NULL. */
GPtrArray *
_suda_registry_get_watchers (SudaRegistry *self,
                             const char   *nick)
{
  return g_hash_table_lookup (self->watchers, nick);
}

guint
_suda_registry_get_n_connections (SudaRegistry *self)
{
  return self->n_connections;
}

guint
_suda_registry_get_n_registered (SudaRegistry *self)
{
  return self->n_registered;
}

guint
_suda_registry_get_max_registered (SudaRegistry *self)
{
  return self->max_registered;
}

guint
_suda_registry_count_opers (SudaRegistry *self)
{
  GHashTableIter iter;
  SudaClient *client;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->nicks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &client))
    n += client->registered && client->oper;
  return n;
}

guint
_suda_registry_count_invisible (SudaRegistry *self)
{
  GHashTableIter iter;
  SudaClient *client;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->nicks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &client))
    n += client->registered && client->invisible;
  return n;
}

/* FUNC (client, DATA) for each registered client. */
void
_suda_registry_foreach_client (SudaRegistry *self,
                               GFunc         func,
                               gpointer      data)
{
  GHashTableIter iter;
  SudaClient *client;

  g_hash_table_iter_init (&iter, self->nicks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &client))
    if (client->registered)
      func (client, data);
}

void
_suda_client_set_nick (SudaClient *client,
                       const char *nick)
{
  char *copy = g_strdup (nick);

  g_free (client->nick);
  client->nick = copy;
  g_free (client->mask);
  client->mask = g_strdup_printf ("%s!%s@%s", copy, client->user ? client->user : copy, client->host);
  _suda_session_set_public_nick (client->session, copy);
}

const char *
_suda_client_target_name (SudaClient *client)
{
  return client->nick ? client->nick : "*";
}

void
_suda_client_send (SudaClient *client,
                   const char *data,
                   gsize       len)
{
  if (G_UNLIKELY (client->capture))
    g_string_append_len (client->capture, data, len);
  else
    _suda_session_send (client->session, data, len);
}

void
_suda_client_sendf (SudaClient *client,
                    const char *format,
                    ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  _suda_client_send (client, text, strlen (text));
}

gboolean
_suda_client_is_closing (SudaClient *client)
{
  return _suda_session_is_closing (client->session);
}

void
_suda_client_close (SudaClient *client,
                    const char *reason)
{
  _suda_session_close (client->session, reason);
}

/* Rooms ---------------------------------------------------------------------- */

SudaChannel *
_suda_registry_find_channel (SudaRegistry *self,
                             const char   *name)
{
  return name ? g_hash_table_lookup (self->channels, name) : NULL;
}

SudaChannel *
_suda_registry_ensure_channel (SudaRegistry *self,
                               const char   *name)
{
  SudaChannel *channel = g_hash_table_lookup (self->channels, name);

  if (channel == NULL)
    {
      channel = suda_channel_new (name);
      g_hash_table_insert (self->channels, channel->name, channel);
    }
  return channel;
}

void
_suda_registry_drop_channel_if_empty (SudaRegistry *self,
                                      SudaChannel  *channel)
{
  /* The default room stays, with its topic and modes, when everyone left. */
  /* Any other room's history goes with it (it is in the log), unless the
   * room lives on on other servers ([cluster]), whose lines it still keeps. */
  if (channel->members->len == 0 &&
      suda_irc_casecmp (channel->name, self->config->default_channel) != 0)
    {
      g_autofree char *folded = suda_irc_casefold (channel->name);

      if (self->histories && _suda_registry_get_remote_members (self, channel->name) == NULL)
        g_hash_table_remove (self->histories, folded);
      g_hash_table_remove (self->channels, channel->name);
    }
}

guint
_suda_registry_get_n_channels (SudaRegistry *self)
{
  return g_hash_table_size (self->channels);
}

void
_suda_registry_foreach_channel (SudaRegistry *self,
                                GFunc         func,
                                gpointer      data)
{
  GHashTableIter iter;
  gpointer channel;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, &channel))
    func (channel, data);
}

static void
update_channels_text (SudaClient *client)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < client->channels->len; i++)
    {
      SudaChannel *channel = g_ptr_array_index (client->channels, i);

      if (text->len)
        g_string_append_c (text, ' ');
      g_string_append (text, channel->name);
    }
  _suda_session_set_channels (client->session, text->str);
}

void
_suda_registry_add_member (SudaRegistry *self,
                           SudaChannel  *channel,
                           SudaClient   *client,
                           guint         flags)
{
  suda_channel_add_member (channel, client, flags);
  g_ptr_array_add (client->channels, channel);
  update_channels_text (client);
}

/* The room goes too when it was its last member (the default room aside):
 * CHANNEL must not be used after this. */
void
_suda_registry_remove_member (SudaRegistry *self,
                              SudaChannel  *channel,
                              SudaClient   *client)
{
  suda_channel_remove_member (channel, client);
  g_ptr_array_remove (client->channels, channel);
  update_channels_text (client);
  _suda_registry_drop_channel_if_empty (self, channel);
}

/* Quitting: no one watches its channel list any more. */
void
_suda_registry_leave_all (SudaRegistry *self,
                          SudaClient   *client)
{
  while (client->channels->len > 0)
    {
      SudaChannel *channel = g_ptr_array_steal_index (client->channels, client->channels->len - 1);

      suda_channel_remove_member (channel, client);
      _suda_registry_drop_channel_if_empty (self, channel);
    }
}

SudaHistory *
_suda_registry_get_history (SudaRegistry *self,
                            const char   *channel)
{
  SudaHistory *history;

  if (self->histories == NULL)
    return NULL;
  history = g_hash_table_lookup (self->histories, channel);
  if (history == NULL && self->config->history_lines > 0)
    {
      if (g_hash_table_size (self->histories) >= self->config->history_rooms)
        evict_history (self, channel);
      history = suda_history_new (self->config->history_lines);
      g_hash_table_insert (self->histories, suda_irc_casefold (channel), history);
    }
  if (history)
    history->used = ++self->history_clock;
  return history;
}

/* For tests: how many rooms' histories are kept. */
guint
_suda_registry_get_n_histories (SudaRegistry *self)
{
  return self->histories ? g_hash_table_size (self->histories) : 0;
}

/* The history kept so far, without making one. */
SudaHistory *
_suda_registry_peek_history (SudaRegistry *self,
                             const char   *channel)
{
  SudaHistory *history = self->histories ? g_hash_table_lookup (self->histories, channel) : NULL;

  if (history)
    history->used = ++self->history_clock;
  return history;
}

/* Two people's private messages are kept with the rooms' histories (the
 * same bound and eviction), under "nick other" casefolded and in order: no
 * room name has a space, so none can clash. */
static char *
conversation_key (const char *nick,
                  const char *other)
{
  g_autofree char *a = suda_irc_casefold (nick);
  g_autofree char *b = suda_irc_casefold (other);

  return strcmp (a, b) <= 0 ? g_strconcat (a, " ", b, NULL) : g_strconcat (b, " ", a, NULL);
}

/* NICK and OTHER's kept conversation; made when CREATE. */
SudaHistory *
_suda_registry_get_conversation (SudaRegistry *self,
                                 const char   *nick,
                                 const char   *other,
                                 gboolean      create)
{
  g_autofree char *key = conversation_key (nick, other);

  return create ? _suda_registry_get_history (self, key) : _suda_registry_peek_history (self, key);
}

/* The nicks (casefolded) NICK has a kept conversation with. */
GPtrArray *
_suda_registry_list_conversations (SudaRegistry *self,
                                   const char   *nick)
{
  GPtrArray *others = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *folded = suda_irc_casefold (nick);
  gsize len = strlen (folded);
  GHashTableIter iter;
  gpointer key;

  if (self->histories == NULL)
    return others;
  g_hash_table_iter_init (&iter, self->histories);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *space = strchr (key, ' ');

      if (space == NULL)
        continue;
      if ((gsize) (space - (char *) key) == len && strncmp (key, folded, len) == 0)
        g_ptr_array_add (others, g_strdup (space + 1));
      else if (strcmp (space + 1, folded) == 0)
        g_ptr_array_add (others, g_strndup (key, space - (char *) key));
    }
  return others;
}

/* IRCv3 message-ids: a PRIVMSG, NOTICE or TAGMSG's unique id. */
char *
_suda_registry_next_msgid (SudaRegistry *self)
{
  return g_strdup_printf ("%08x-%" G_GINT64_MODIFIER "x", self->msgid_epoch, ++self->next_msgid);
}

char *
_suda_registry_next_batch_id (SudaRegistry *self)
{
  return g_strdup_printf ("h%u", ++self->next_batch_id);
}

/* draft/read-marker: how far OWNER (see _suda_read_markers_owner()) has
 * read TARGET (unix usec), 0 when it never said.  Kept across reconnects
 * and restarts. */
gint64
_suda_registry_get_read_marker (SudaRegistry *self,
                                const char   *owner,
                                const char   *target)
{
  return _suda_read_markers_get (self->read_markers, owner, target);
}

/* Markers only move forward: FALSE when TIME is not past the one kept. */
gboolean
_suda_registry_set_read_marker (SudaRegistry *self,
                                const char   *owner,
                                const char   *target,
                                gint64        time)
{
  if (!_suda_read_markers_set (self->read_markers, owner, target, time))
    return FALSE;
  if (self->read_markers_path != NULL && self->read_markers_save_id == 0)
    self->read_markers_save_id = _suda_timeout_add_seconds (READ_MARKERS_SAVE_SECONDS,
                                                            on_save_read_markers, self);
  return TRUE;
}

/* Users of other servers ([cluster]) ------------------------------------------ */

static void
remote_user_free (gpointer data)
{
  SudaRemoteUser *user = data;

  g_free (user->nick);
  g_free (user->mask);
  g_free (user->server);
  g_ptr_array_unref (user->channels);
  g_array_unref (user->flags);
  g_free (user);
}

SudaRemoteUser *
_suda_registry_find_remote (SudaRegistry *self,
                            const char   *nick)
{
  return nick ? g_hash_table_lookup (self->remote, nick) : NULL;
}

/* NICK is on SERVER now (a second word of the same keeps its rooms). */
SudaRemoteUser *
_suda_registry_add_remote (SudaRegistry *self,
                           const char   *server,
                           const char   *nick,
                           const char   *mask)
{
  SudaRemoteUser *user = g_hash_table_lookup (self->remote, nick);

  if (user == NULL)
    {
      user = g_new0 (SudaRemoteUser, 1);
      user->nick = g_strdup (nick);
      user->channels = g_ptr_array_new_with_free_func (g_free);
      user->flags = g_array_new (FALSE, TRUE, sizeof (guint));
      g_hash_table_insert (self->remote, g_strdup (nick), user);
    }
  g_free (user->server);
  user->server = g_strdup (server);
  if (mask != NULL && g_strcmp0 (user->mask, mask) != 0)
    {
      g_free (user->mask);
      user->mask = g_strdup (mask);
    }
  return user;
}

static gboolean
find_name (GPtrArray  *names,
           const char *name,
           guint      *index)
{
  for (guint i = 0; i < names->len; i++)
    if (suda_irc_casecmp (g_ptr_array_index (names, i), name) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

void
_suda_registry_remote_join (SudaRegistry   *self,
                            SudaRemoteUser *user,
                            const char     *channel)
{
  GPtrArray *members;
  guint index;

  if (find_name (user->channels, channel, &index))
    return;
  g_ptr_array_add (user->channels, g_strdup (channel));
  g_array_append_val (user->flags, (guint) { 0 });
  members = g_hash_table_lookup (self->remote_rooms, channel);
  if (members == NULL)
    {
      members = g_ptr_array_new ();
      g_hash_table_insert (self->remote_rooms, g_strdup (channel), members);
    }
  g_ptr_array_add (members, user);
}

void
_suda_registry_remote_part (SudaRegistry   *self,
                            SudaRemoteUser *user,
                            const char     *name)
{
  /* NAME may be the user's own copy, freed below. */
  g_autofree char *channel = g_strdup (name);
  GPtrArray *members = g_hash_table_lookup (self->remote_rooms, channel);
  guint index;

  if (!find_name (user->channels, channel, &index))
    return;
  g_ptr_array_remove_index (user->channels, index);
  g_array_remove_index (user->flags, index);
  if (members != NULL && g_ptr_array_remove (members, user) && members->len == 0)
    g_hash_table_remove (self->remote_rooms, channel);
}

void
_suda_registry_remove_remote (SudaRegistry   *self,
                              SudaRemoteUser *user)
{
  while (user->channels->len > 0)
    _suda_registry_remote_part (self, user, g_ptr_array_index (user->channels, 0));
  g_hash_table_remove (self->remote, user->nick);
}

/* The user keeps its rooms under its new nick. */
void
_suda_registry_rename_remote (SudaRegistry   *self,
                              SudaRemoteUser *user,
                              const char     *nick,
                              const char     *mask)
{
  g_hash_table_steal (self->remote, user->nick);
  g_free (user->nick);
  user->nick = g_strdup (nick);
  g_free (user->mask);
  user->mask = g_strdup (mask);
  g_hash_table_insert (self->remote, g_strdup (nick), user);
}

gboolean
_suda_registry_remote_is_in (SudaRegistry   *self,
                             SudaRemoteUser *user,
                             const char     *channel)
{
  guint index;

  return find_name (user->channels, channel, &index);
}

guint
_suda_registry_get_remote_flags (SudaRegistry   *self,
                                 SudaRemoteUser *user,
                                 const char     *channel)
{
  guint index;

  return find_name (user->channels, channel, &index) ? g_array_index (user->flags, guint, index) : 0;
}

void
_suda_registry_set_remote_flag (SudaRegistry   *self,
                                SudaRemoteUser *user,
                                const char     *channel,
                                guint           flag,
                                gboolean        add)
{
  guint index;

  if (!find_name (user->channels, channel, &index))
    return;
  if (add)
    g_array_index (user->flags, guint, index) |= flag;
  else
    g_array_index (user->flags, guint, index) &= ~flag;
}

/* FUNC (name, GPtrArray of SudaRemoteUser, DATA) for each room that has
 * members on other servers. */
void
_suda_registry_foreach_remote_room (SudaRegistry *self,
                                    GHFunc        func,
                                    gpointer      data)
{
  g_hash_table_foreach (self->remote_rooms, func, data);
}

/* The users of CHANNEL on other servers (SudaRemoteUser, borrowed), or NULL. */
GPtrArray *
_suda_registry_get_remote_members (SudaRegistry *self,
                                   const char   *channel)
{
  return g_hash_table_lookup (self->remote_rooms, channel);
}

/* The users on SERVER (borrowed), or on every other server when NULL. */
GPtrArray *
_suda_registry_list_remote (SudaRegistry *self,
                            const char   *server)
{
  GPtrArray *users = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer user;

  g_hash_table_iter_init (&iter, self->remote);
  while (g_hash_table_iter_next (&iter, NULL, &user))
    if (server == NULL || g_strcmp0 (((SudaRemoteUser *) user)->server, server) == 0)
      g_ptr_array_add (users, user);
  return users;
}
