/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server operators: OPER (credentials from the config's [operators],
 * stored as crypt(3) hashes) and KILL. */
#include "config.h"

#include <crypt.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "suda-irc-private.h"

void
_suda_irc_cmd_oper (SudaClient     *c,
                    SudaIrcMessage *m)
{
  const char *hash = suda_server_config_get_operator_hash (c->core->config, m->params[0]);
  struct crypt_data data = { 0 };
  const char *computed;
  g_autofree char *text = NULL;

  if (hash == NULL ||
      !(computed = crypt_r (m->params[1], hash, &data)) || computed[0] == '*' ||
      strcmp (computed, hash) != 0)
    {
      text = g_strdup_printf ("failed OPER as %s", m->params[0]);
      _suda_irc_reply (c, SUDA_ERR_PASSWDMISMATCH, NULL);
      _suda_delivery_log_event (c->core->delivery, "error", NULL, c->nick, text);
      return;
    }
  c->oper = TRUE;
  _suda_irc_reply (c, SUDA_RPL_YOUREOPER, NULL);
  _suda_irc_sendf (c, ":%s MODE %s :+o\r\n", c->mask, c->nick);
  text = g_strdup_printf ("OPER as %s", m->params[0]);
  _suda_delivery_log_event (c->core->delivery, "mode", NULL, c->nick, text);
}

void
_suda_irc_cmd_kill (SudaClient     *c,
                    SudaIrcMessage *m)
{
  SudaClient *victim;
  g_autofree char *reason = NULL;
  g_autoptr(SudaLogEntry) entry = NULL;

  if (!c->oper)
    {
      _suda_irc_reply (c, SUDA_ERR_NOPRIVILEGES, NULL);
      return;
    }
  victim = _suda_registry_find_client (c->core->registry, m->params[0]);
  if (victim == NULL || !victim->registered)
    {
      _suda_irc_reply (c, SUDA_ERR_NOSUCHNICK, m->params[0], NULL);
      return;
    }
  reason = g_strdup_printf ("Killed (%s (%s))", c->nick, m->n_params > 1 ? m->params[1] : c->nick);
  entry = suda_log_entry_new (0, "kick", NULL, c->nick, reason);
  suda_log_entry_set_field (entry, "target", victim->nick);
  _suda_delivery_log (c->core->delivery, entry);
  _suda_client_close (victim, reason);
}
