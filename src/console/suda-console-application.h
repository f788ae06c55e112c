/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SUDA_TYPE_CONSOLE_APPLICATION (suda_console_application_get_type ())

G_DECLARE_FINAL_TYPE (SudaConsoleApplication, suda_console_application, SUDA, CONSOLE_APPLICATION, AdwApplication)

SudaConsoleApplication *suda_console_application_new (void);

G_END_DECLS
