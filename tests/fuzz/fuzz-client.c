/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the input is what a server sends, lines split on newlines,
 * fed into a SudaConnection (registering, as just connected) and the
 * SudaClient over it, with no window and no socket.  Beyond not crashing,
 * the model must stay whole: every member has a nick, every conversation
 * a name of its own, and no limit is passed. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "suda-client.h"
#include "suda-connection-private.h"
#include "suda-limits.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Warnings and criticals are findings (the suite makes them fatal too);
 * the rest (g_debug for every dropped line, g_message for errors the
 * person would read) would only slow the fuzzer down. */
static GLogWriterOutput
write_log (GLogLevelFlags   level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

#define CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        fprintf (stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
        abort (); \
      } \
  } G_STMT_END

static gboolean
is_named (const char *name)
{
  return name != NULL && *name != '\0';
}

static void
check_conversation (SudaConversation *conv)
{
  GListModel *members = suda_conversation_get_members (conv);
  guint n_members = g_list_model_get_n_items (members);

  CHECK (is_named (suda_conversation_get_name (conv)));
  CHECK (n_members <= SUDA_CLIENT_MAX_MEMBERS);
  CHECK (n_members == suda_conversation_get_n_members (conv));
  CHECK (suda_conversation_get_n_messages (conv) <= suda_conversation_get_max_messages (conv));
  CHECK (suda_conversation_get_n_messages (conv) <= g_list_model_get_n_items (G_LIST_MODEL (conv)));
  for (guint i = 0; i < n_members; i++)
    {
      g_autoptr(SudaMember) member = g_list_model_get_item (members, i);
      const char *nick = suda_member_get_nick (member);

      CHECK (is_named (nick));
      /* The lookup by nick finds this very member: one entry per nick. */
      CHECK (suda_conversation_find_member (conv, nick) == member);
    }
}

static void
check_client (SudaClient *client)
{
  GListModel *conversations = suda_client_get_conversations (client);
  guint n = g_list_model_get_n_items (conversations);
  guint rooms = 0, private = 0;
  const char * const *channels;
  guint n_channels = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SudaConversation) conv = g_list_model_get_item (conversations, i);

      check_conversation (conv);
      /* One conversation per name: the name finds this one. */
      if (i > 0)
        CHECK (suda_client_find_conversation (client, suda_conversation_get_name (conv)) == conv);
      rooms += suda_conversation_get_kind (conv) == SUDA_CONVERSATION_ROOM;
      private += suda_conversation_get_kind (conv) == SUDA_CONVERSATION_PRIVATE;
    }
  CHECK (rooms <= SUDA_CLIENT_MAX_ROOMS);
  CHECK (private <= SUDA_CLIENT_MAX_PRIVATE);

  channels = suda_connection_get_channels (suda_client_get_connection (client));
  for (; channels[n_channels] != NULL; n_channels++)
    CHECK (is_named (channels[n_channels]));
  CHECK (n_channels <= SUDA_CLIENT_MAX_ROOMS);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static gboolean initialized;
  g_autoptr(SudaClient) client = NULL;
  SudaConnection *connection;

  if (!initialized)
    {
      g_log_set_writer_func (write_log, NULL, NULL);
      initialized = TRUE;
    }

  client = suda_client_new ();
  connection = suda_client_get_connection (client);
  suda_connection_set_server (connection, "irc.example", 6667);
  suda_connection_set_nick (connection, "rose");
  /* As after connecting: the registration paths (CAP, nickname taken)
   * are reachable, and 001 completes it. */
  _suda_connection_register (connection);
  _suda_connection_receive (connection, (const char *) data, size);
  check_client (client);
  return 0;
}
