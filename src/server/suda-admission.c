/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who may connect: the server's and each address's connection limits and
 * each address's connect rate, a refusal told to the peer in one line, and
 * refusals summed up in the log so a flood of them cannot flood it. */
#include "config.h"

#include <string.h>

#include "suda-server-private.h"

/* Connections refused from one address since its first refusal was logged. */
typedef struct {
  guint       n;
  const char *reason;   /* static */
} Refusals;

struct _SudaAdmission
{
  const SudaCore *core;
  GHashTable     *refused;   /* host → Refusals, this minute's */
  guint           refused_id;
  GHashTable     *connects;  /* host → connections this minute (GUINT_TO_POINTER) */
  guint           connects_id;
};

SudaAdmission *
_suda_admission_new (const SudaCore *core)
{
  SudaAdmission *self = g_new0 (SudaAdmission, 1);

  self->core = core;
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->connects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
_suda_admission_free (SudaAdmission *self)
{
  g_clear_handle_id (&self->refused_id, _suda_source_remove);
  g_clear_handle_id (&self->connects_id, _suda_source_remove);
  g_hash_table_unref (self->refused);
  g_hash_table_unref (self->connects);
  g_free (self);
}

/* The first refusal from an address is logged at once, the rest summed up
 * here once a minute (and at a stop). */
void
_suda_admission_log_refusals (SudaAdmission *self)
{
  GHashTableIter iter;
  gpointer host, value;

  g_clear_handle_id (&self->refused_id, _suda_source_remove);
  g_hash_table_iter_init (&iter, self->refused);
  while (g_hash_table_iter_next (&iter, &host, &value))
    {
      Refusals *refusals = value;
      g_autofree char *text = NULL;

      if (refusals->n == 0)
        continue;
      text = g_strdup_printf ("refused %u more connections from %s in the last minute (%s)",
                              refusals->n, (const char *) host, refusals->reason);
      _suda_delivery_log_event (self->core->delivery, "error", NULL, NULL, text);
    }
  g_hash_table_remove_all (self->refused);
}

static gboolean
on_refusals_due (gpointer data)
{
  SudaAdmission *self = data;

  self->refused_id = 0;
  _suda_admission_log_refusals (self);
  return G_SOURCE_REMOVE;
}

static void
note_refusal (SudaAdmission *self,
              const char    *host,
              const char    *reason)
{
  Refusals *refusals = g_hash_table_lookup (self->refused, host);
  g_autofree char *text = NULL;

  if (refusals != NULL)
    {
      refusals->n++;
      refusals->reason = reason;
      return;
    }
  g_hash_table_insert (self->refused, g_strdup (host), g_new0 (Refusals, 1));
  if (self->refused_id == 0)
    self->refused_id = _suda_timeout_add_seconds (60, on_refusals_due, self);
  text = g_strdup_printf ("%s: connection from %s refused", reason, host);
  _suda_delivery_log_event (self->core->delivery, "error", NULL, NULL, text);
}

/* LINE, NULL on a TLS port: clear text there would be garbage to a TLS
 * client, and a handshake for every refused connection is what a flood
 * wants; it is only closed. */
static void
refuse_connection (SudaAdmission     *self,
                   GSocketConnection *connection,
                   const char        *host,
                   const char        *line,
                   const char        *reason)
{
  GSocket *socket = g_socket_connection_get_socket (connection);

  /* A new connection's send buffer is empty, so this cannot block. */
  if (line != NULL)
    g_socket_send (socket, line, strlen (line), NULL, NULL);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  note_refusal (self, host, reason);
}

static gboolean
on_minute_over (gpointer data)
{
  SudaAdmission *self = data;

  self->connects_id = 0;
  g_hash_table_remove_all (self->connects);
  return G_SOURCE_REMOVE;
}

/* Counted per minute from the first connect, so the table holds only this
 * minute's addresses. */
static gboolean
connects_too_often (SudaAdmission *self,
                    const char    *host)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->connects, host));

  if (n >= self->core->config->connects_per_minute)
    return TRUE;
  g_hash_table_replace (self->connects, g_strdup (host), GUINT_TO_POINTER (n + 1));
  if (self->connects_id == 0)
    self->connects_id = _suda_timeout_add_seconds (60, on_minute_over, self);
  return FALSE;
}

/* Why HOST may not connect now (for the log), and LINE, what it is told;
 * NULL when it may. */
static const char *
check (SudaAdmission *self,
       const char    *host,
       gboolean       loopback,
       char         **line)
{
  const SudaServerConfig *config = self->core->config;
  SudaRegistry *registry = self->core->registry;
  gboolean exempt = loopback && config->exempt_loopback;

  if (_suda_registry_get_n_connections (registry) >= config->max_clients)
    {
      *line = g_strdup_printf ("ERROR :Server is full (%u clients)\r\n", config->max_clients);
      return "server full";
    }
  if (config->connects_per_minute > 0 && !exempt && connects_too_often (self, host))
    {
      *line = g_strdup ("ERROR :Too many connections from your address; try again in a minute\r\n");
      return "connecting too often";
    }
  if (config->max_per_address > 0 && !exempt &&
      _suda_registry_count_address (registry, host) >= config->max_per_address)
    {
      *line = g_strdup ("ERROR :Too many connections from your address\r\n");
      return "too many from one address";
    }
  return NULL;
}

gboolean
_suda_admission_admit (SudaAdmission     *self,
                       GSocketConnection *connection,
                       gboolean           clear_text)
{
  gboolean loopback;
  g_autofree char *host = _suda_session_describe_peer (connection, &loopback);
  g_autofree char *line = NULL;
  const char *reason = check (self, host, loopback, &line);

  if (reason == NULL)
    return TRUE;
  refuse_connection (self, connection, host, clear_text ? line : NULL, reason);
  return FALSE;
}

/* The same rules for a connection that is no socket of the server's own
 * (a WebSocket): the refusal goes out through its transport. */
gboolean
_suda_admission_admit_transport (SudaAdmission *self,
                                 SudaTransport *transport)
{
  g_autoptr(GSocketAddress) address = suda_transport_dup_remote_address (transport);
  gboolean loopback;
  g_autofree char *host = _suda_session_describe_address (address, &loopback);
  g_autofree char *line = NULL;
  const char *reason = check (self, host, loopback, &line);

  if (reason == NULL)
    return TRUE;
  suda_transport_send (transport, line, strlen (line), NULL);
  suda_transport_close (transport);
  note_refusal (self, host, reason);
  return FALSE;
}
