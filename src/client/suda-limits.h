/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "suda-irc-message.h"

/* What the client keeps for a server it does not control.  Each bound is
 * far above what a real network sends and keeps a hostile server from
 * growing the client's memory (or its CPU time per line) without end. */

/* A line from the server: IRCv3 tags (8191 bytes at most, '@' and space
 * included) in front of the 512 bytes of RFC 1459; a longer line is left
 * out whole, as the server does with ours. */
#define SUDA_CLIENT_MAX_TAG_BYTES   SUDA_IRC_MAX_TAGS
#define SUDA_CLIENT_MAX_LINE        (SUDA_IRC_MAX_TAGS + SUDA_IRC_MAX_LINE)

/* A nickname or channel name: networks cap them near 30 (NICKLEN) and 50
 * to 64 (CHANNELLEN); longer ones are not real and would only stretch the
 * sidebar and the member list. */
#define SUDA_CLIENT_MAX_NAME_BYTES  200

/* People in one room: the largest rooms of the big networks hold a few
 * tens of thousands; the member list and the NAMES reply stop here. */
#define SUDA_CLIENT_MAX_MEMBERS     100000

/* Rooms: a person joins dozens; a server that joins us to more than this
 * (or talks to us from more) is refused the rest. */
#define SUDA_CLIENT_MAX_ROOMS       1000

/* Private conversations opened by others: past this, messages from new
 * people go to the server conversation instead of a tab each. */
#define SUDA_CLIENT_MAX_PRIVATE     1000

/* IRCv3 batches open at once, and how deep they nest: real servers open
 * one or two (chathistory, netsplit) at a depth of one or two.  At the cap
 * the oldest open batch is forgotten: a batch never closed cannot pile up. */
#define SUDA_CLIENT_MAX_OPEN_BATCHES 32
#define SUDA_CLIENT_MAX_BATCH_DEPTH  4

/* Capabilities a server may offer or acknowledge: real ones list a few
 * dozen (CAP LS may take several lines, each adding to the table). */
#define SUDA_CLIENT_MAX_CAPS        256

/* Lines a conversation keeps in memory; older ones are dropped from the
 * view (the transcript on disk keeps them).  A day of a busy room. */
#define SUDA_CLIENT_MAX_HISTORY     10000

/* Automatic answers (CTCP VERSION) waiting for the pacing to send them:
 * a server that asks faster than we may answer gets no more answers. */
#define SUDA_CLIENT_MAX_HELD_REPLIES 16

/* Bytes waiting to be written to a server that does not read them: past
 * this the connection is treated as lost (a server's "SendQ exceeded"). */
#define SUDA_CLIENT_MAX_SENDQ       (256 * 1024)
