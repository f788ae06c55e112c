/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Publishing the server with Avahi on the GLib main loop.  The client is
 * made with AVAHI_CLIENT_NO_FAIL, so a daemon missing at start or gone
 * later is waited for instead of ending the announcement. */
#include "config.h"

#include <string.h>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-glib/glib-watch.h>

#include "suda-announce.h"

struct _SudaAnnounce
{
  AvahiGLibPoll   *poll;
  AvahiClient     *client;
  AvahiEntryGroup *group;
  guint            restart_id;
  gboolean         said_absent;   /* the "not running" line is said once */

  char            *name;
  char            *published;     /* the name once established, or NULL */
  guint16          port;
  guint16          tls_port;
  AvahiStringList *txt;

  SudaAnnounceNote note;
  gpointer         data;
};

static void start_client (SudaAnnounce *self);

static void
note (SudaAnnounce *self,
      const char   *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
note (SudaAnnounce *self,
      const char   *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  self->note (self->data, text);
}

static void
take_alternative_name (SudaAnnounce *self)
{
  char *other = avahi_alternative_service_name (self->name);

  g_free (self->name);
  self->name = g_strdup (other);
  avahi_free (other);
}

static void create_services (SudaAnnounce *self);

static void
group_cb (AvahiEntryGroup      *group,
          AvahiEntryGroupState  state,
          void                 *data)
{
  SudaAnnounce *self = data;

  switch (state)
    {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
      g_free (self->published);
      self->published = g_strdup (self->name);
      note (self, "Announced on the local network as “%s”", self->name);
      break;
    case AVAHI_ENTRY_GROUP_COLLISION:
      /* Another computer has the name: "Kim's class chat #2". */
      take_alternative_name (self);
      create_services (self);
      break;
    case AVAHI_ENTRY_GROUP_FAILURE:
      note (self, "Announcing on the local network failed: %s",
            avahi_strerror (avahi_client_errno (avahi_entry_group_get_client (group))));
      break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
    default:
      break;
    }
}

static int
add_service (SudaAnnounce *self,
             const char   *type,
             guint16       port)
{
  if (port == 0)
    return AVAHI_OK;
  return avahi_entry_group_add_service_strlst (self->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0,
                                               self->name, type, NULL, NULL, port, self->txt);
}

/* Called when the client runs, and again with another name after a
 * collision. */
static void
create_services (SudaAnnounce *self)
{
  int result;

  g_clear_pointer (&self->published, g_free);
  if (self->group == NULL)
    self->group = avahi_entry_group_new (self->client, group_cb, self);
  if (self->group == NULL)
    {
      note (self, "Announcing on the local network failed: %s",
            avahi_strerror (avahi_client_errno (self->client)));
      return;
    }
  avahi_entry_group_reset (self->group);
  for (guint tries = 0; tries < 20; tries++)
    {
      result = add_service (self, "_irc._tcp", self->port);
      if (result == AVAHI_OK)
        result = add_service (self, "_ircs._tcp", self->tls_port);
      if (result != AVAHI_ERR_COLLISION)
        break;
      /* A service of this computer has the name already. */
      avahi_entry_group_reset (self->group);
      take_alternative_name (self);
    }
  if (result == AVAHI_OK)
    result = avahi_entry_group_commit (self->group);
  if (result != AVAHI_OK)
    note (self, "Announcing on the local network failed: %s", avahi_strerror (result));
}

static void
forget_group (SudaAnnounce *self)
{
  g_clear_pointer (&self->group, avahi_entry_group_free);
  g_clear_pointer (&self->published, g_free);
}

static gboolean
restart_cb (gpointer data)
{
  SudaAnnounce *self = data;

  self->restart_id = 0;
  forget_group (self);
  g_clear_pointer (&self->client, avahi_client_free);
  start_client (self);
  return G_SOURCE_REMOVE;
}

static void
client_cb (AvahiClient      *client,
           AvahiClientState  state,
           void             *data)
{
  SudaAnnounce *self = data;

  /* Called from avahi_client_new() already, before it returns. */
  self->client = client;
  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
      self->said_absent = FALSE;
      create_services (self);
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      /* The host name changes: publish again once it runs. */
      if (self->group != NULL)
        avahi_entry_group_reset (self->group);
      break;
    case AVAHI_CLIENT_CONNECTING:
      forget_group (self);
      if (!self->said_absent)
        note (self, "Avahi is not running: the chat is not announced on the local network "
                    "until it starts");
      self->said_absent = TRUE;
      break;
    case AVAHI_CLIENT_FAILURE:
    default:
      /* The daemon went away: a new client waits for it to come back
       * (not from inside this callback, which the old one still runs). */
      forget_group (self);
      if (self->restart_id == 0)
        self->restart_id = g_idle_add (restart_cb, self);
      break;
    }
}

static void
start_client (SudaAnnounce *self)
{
  int error = 0;

  self->client = avahi_client_new (avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL,
                                   client_cb, self, &error);
  if (self->client == NULL && !self->said_absent)
    {
      note (self, "The chat is not announced on the local network: %s", avahi_strerror (error));
      self->said_absent = TRUE;
    }
}

static AvahiStringList *
make_txt (const SudaAnnounceInfo *info)
{
  AvahiStringList *txt = NULL;

  if (info->fingerprint != NULL)
    txt = avahi_string_list_add_pair (txt, "tls-sha256", info->fingerprint);
  if (info->accounts != NULL)
    txt = avahi_string_list_add_pair (txt, "accounts", info->accounts);
  txt = avahi_string_list_add_pair (txt, "password", info->password ? "yes" : "no");
  if (info->room != NULL && *info->room != '\0')
    txt = avahi_string_list_add_pair (txt, "room", info->room);
  return txt;
}

SudaAnnounce *
_suda_announce_new (const SudaAnnounceInfo *info,
                    SudaAnnounceNote        note_func,
                    gpointer                data)
{
  SudaAnnounce *self;

  g_return_val_if_fail (info != NULL && info->name != NULL && *info->name != '\0', NULL);
  g_return_val_if_fail (note_func != NULL, NULL);

  self = g_new0 (SudaAnnounce, 1);
  /* Avahi caps an instance name at 63 bytes (one DNS label). */
  self->name = g_utf8_make_valid (info->name, -1);
  if (strlen (self->name) > 63)
    *g_utf8_find_prev_char (self->name, self->name + 64) = '\0';
  self->port = info->port;
  self->tls_port = info->tls_port;
  self->txt = make_txt (info);
  self->note = note_func;
  self->data = data;
  self->poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
  start_client (self);
  return self;
}

void
_suda_announce_free (SudaAnnounce *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->restart_id, g_source_remove);
  /* Freeing the client withdraws its groups from the network. */
  forget_group (self);
  g_clear_pointer (&self->client, avahi_client_free);
  g_clear_pointer (&self->poll, avahi_glib_poll_free);
  avahi_string_list_free (self->txt);
  g_free (self->name);
  g_free (self);
}

const char *
_suda_announce_get_name (SudaAnnounce *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->published;
}
