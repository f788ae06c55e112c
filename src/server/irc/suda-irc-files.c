/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FILEHOST TOKEN: the bearer token a connected user uploads with (the
 * soju.im/FILEHOST extension leaves how to log in to the server; an
 * account's name and password work too, as HTTP Basic).  The token is
 * good while this connection lasts:
 *   -> FILEHOST TOKEN
 *   <- :server NOTE FILEHOST TOKEN <token> :Upload with Authorization: Bearer <token>
 *   <- :server FAIL FILEHOST DISABLED :This server does not take files */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"
#include "files/suda-file-host.h"

/* The URL for the ISUPPORT token: the address this client reached the
 * chat by, so a link works from where the client is. */
char *
_suda_irc_files_dup_url (SudaClient *c)
{
  GSocket *socket;
  g_autoptr(GSocketAddress) local = NULL;

  if (c->core->files == NULL)
    return NULL;
  socket = _suda_session_get_socket (c->session);
  if (socket != NULL)
    local = g_socket_get_local_address (socket, NULL);
  return suda_file_host_dup_upload_url (c->core->files, local);
}

void
_suda_irc_cmd_filehost (SudaClient     *c,
                        SudaIrcMessage *m)
{
  const char *server = _suda_irc_server_name (c);
  g_autofree char *token = NULL;

  if (m->n_params < 1 || g_ascii_strcasecmp (m->params[0], "TOKEN") != 0)
    {
      _suda_irc_sendf (c, ":%s FAIL FILEHOST UNKNOWN_COMMAND %s :%s\r\n", server,
                       m->n_params > 0 ? m->params[0] : "*", _("Use FILEHOST TOKEN"));
      return;
    }
  if (c->core->files == NULL)
    {
      _suda_irc_sendf (c, ":%s FAIL FILEHOST DISABLED :%s\r\n", server,
                       _("This server does not take files"));
      return;
    }
  token = suda_file_host_grant (c->core->files, c->session, c->account);
  _suda_irc_sendf (c, ":%s NOTE FILEHOST TOKEN %s :Upload with Authorization: Bearer %s\r\n",
                   server, token, token);
}
