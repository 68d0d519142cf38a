/*
 * The firewall and UPnP NAT GUIDs for Wine's hnetcfg tests built outside
 * Wine's tree.
 *
 * Wine's libuuid defines CLSID_NetFwMgr, IID_IUPnPNAT, IID_IStaticPortMapping
 * and the rest; mingw-w64's does not.  Wine's policy.c only declares them:
 * this file defines every GUID of netfw.h (mingw-w64's) and natupnp.h (made
 * by widl from Wine's natupnp.idl, tools/winetests.sh), once.
 *
 * Copyright 2026 the winhttp-ws authors.  LGPL-2.1-or-later.
 */

#include <windows.h>
#include <initguid.h>
#include <netfw.h>
#include <natupnp.h>
