/*
 * The BITS GUIDs for Wine's qmgr tests built outside Wine's tree.
 *
 * Wine's libuuid defines IID_IBackgroundCopyManager, CLSID_BackgroundCopyManager
 * and the other BITS interface ids; mingw-w64's does not.  Some of Wine's
 * test files include <initguid.h> before <bits.h> and so define a few of them
 * themselves, others only declare them: this file defines every one, once,
 * from mingw-w64's headers (the definitions are "selectany", so a file that
 * defines its own as well links with this one).
 *
 * Copyright 2026 the winhttp-ws authors.  LGPL-2.1-or-later.
 */

#include <windows.h>
#include <initguid.h>
#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>
#include <bits5_0.h>
