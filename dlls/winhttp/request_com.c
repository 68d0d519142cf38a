/*
 * WinHttp.WinHttpRequest.5.1: IWinHttpRequest over our own public API.
 *
 * One object owns one asynchronous session (WinHttpOpen with
 * WINHTTP_FLAG_ASYNC, created with the object) and, after Open, one connect
 * and one request handle.  Send hands the work to a thread-pool worker
 * (send_worker): it starts each WinHTTP call and waits for its completion
 * notification or for an abort.  A synchronous Send waits for the worker
 * while pumping messages, so an STA caller keeps serving its apartment (and
 * the events marshalled to it); an asynchronous Send returns at once and
 * WaitForResponse waits the same way.
 *
 * Abort never closes a handle under a running call: it signals the worker,
 * and the worker closes the request handle itself and waits for its
 * HANDLE_CLOSING, the last notification a handle gets.  So no handle value
 * is used after it was freed (handle values are reused), and no
 * notification reaches a freed object.
 *
 * Locking: request->cs guards every field below it in the struct.  It is
 * never held while waiting for the worker, nor while the worker waits or
 * fires events, nor inside a WinHTTP call that may block.  The worker reads
 * the handles under cs; the handles only change when no worker runs
 * (running == FALSE), except request->hrequest, which the worker itself
 * clears when it closes it on abort.
 *
 * Copyright 2026 the winhttp-ws authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "request_com.h"

#define COM_USER_AGENT L"Mozilla/4.0 (compatible; Win32; WinHttp.WinHttpRequest.5)"
#define OPTION_COUNT (WinHttpRequestOption_RejectUserpwd + 1)

/* How each WinHttpRequestOption_* is stored and reported. */
enum option_kind
{
    OPTION_BOOL,      /* VT_BOOL */
    OPTION_LONG,      /* VT_I4 */
    OPTION_SPECIAL,   /* handled by name in get/put */
};

struct option_info
{
    enum option_kind kind;
    LONG initial;
};

static const struct option_info option_table[OPTION_COUNT] =
{
    [WinHttpRequestOption_UserAgentString]              = { OPTION_SPECIAL, 0 },
    [WinHttpRequestOption_URL]                          = { OPTION_SPECIAL, 0 },
    [WinHttpRequestOption_URLCodePage]                  = { OPTION_SPECIAL, CP_UTF8 },
    [WinHttpRequestOption_EscapePercentInURL]           = { OPTION_BOOL, FALSE },
    [WinHttpRequestOption_SslErrorIgnoreFlags]          = { OPTION_LONG, 0 },
    [WinHttpRequestOption_SelectCertificate]            = { OPTION_SPECIAL, 0 },
    [WinHttpRequestOption_EnableRedirects]              = { OPTION_BOOL, TRUE },
    [WinHttpRequestOption_UrlEscapeDisable]             = { OPTION_BOOL, FALSE },
    [WinHttpRequestOption_UrlEscapeDisableQuery]        = { OPTION_BOOL, FALSE },
    /* What our sessions use until told otherwise (option.c): TLS 1.2. */
    [WinHttpRequestOption_SecureProtocols]              = { OPTION_SPECIAL, WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 },
    [WinHttpRequestOption_EnableTracing]                = { OPTION_BOOL, FALSE },
    [WinHttpRequestOption_RevertImpersonationOverSsl]   = { OPTION_BOOL, TRUE },
    [WinHttpRequestOption_EnableHttpsToHttpRedirects]   = { OPTION_BOOL, FALSE },
    [WinHttpRequestOption_EnablePassportAuthentication] = { OPTION_BOOL, FALSE },
    [WinHttpRequestOption_MaxAutomaticRedirects]        = { OPTION_LONG, 10 },
    [WinHttpRequestOption_MaxResponseHeaderSize]        = { OPTION_LONG, 64 * 1024 },
    [WinHttpRequestOption_MaxResponseDrainSize]         = { OPTION_LONG, 1024 * 1024 },
    [WinHttpRequestOption_EnableHttp1_1]                = { OPTION_BOOL, TRUE },
    [WinHttpRequestOption_EnableCertificateRevocationCheck] = { OPTION_BOOL, FALSE },
    [WinHttpRequestOption_RejectUserpwd]                = { OPTION_BOOL, FALSE },
};

struct winhttp_request
{
    IWinHttpRequest IWinHttpRequest_iface;
    IProvideClassInfo2 IProvideClassInfo2_iface;
    struct com_events events;
    LONG refs;

    /* Set once at creation, then only read. */
    HANDLE done;              /* manual reset: set while no worker runs */
    HANDLE wake;              /* auto reset: a notification arrived or an abort was asked */
    HANDLE closed;            /* auto reset: HANDLE_CLOSING of hrequest arrived */

    CRITICAL_SECTION cs;
    enum com_state state;
    HINTERNET hsession;       /* asynchronous; made again at Open when the proxy setting changed */
    DWORD session_access;     /* the proxy setting hsession was opened with */
    WCHAR *session_proxy, *session_bypass;
    HINTERNET hconnect;
    HINTERNET hrequest;
    WCHAR *verb;
    BOOL async;
    BOOL running;             /* a worker owns hrequest's calls */
    BOOL abort;               /* the worker is asked to stop */
    HRESULT result;           /* what the last Send's work came to */
    char *send_data;          /* request body captured by Send */
    DWORD send_len;
    char *body;               /* response body read so far */
    DWORD body_len, body_size;

    /* What the last notification said (written by the callback, read by the
     * worker after wake; the two never run at once for one operation). */
    DWORD cb_status, cb_error, cb_value;

    /* Settings: kept for the object's lifetime, applied at Open and Send. */
    LONG options[OPTION_COUNT];
    WCHAR *user_agent;        /* sent as User-Agent (the session has the default too) */
    LONG resolve_timeout, connect_timeout, send_timeout, receive_timeout;
    DWORD proxy_access;
    WCHAR *proxy_server, *proxy_bypass;
    DWORD logon_policy;
    BOOL logon_policy_set;
    PCCERT_CONTEXT client_cert;
};

static inline struct winhttp_request *impl_from_IWinHttpRequest(IWinHttpRequest *iface)
{
    return CONTAINING_RECORD(iface, struct winhttp_request, IWinHttpRequest_iface);
}

static inline HRESULT hresult_from_error(DWORD error)
{
    return error ? HRESULT_FROM_WIN32(error) : S_OK;
}

/* Waiting ------------------------------------------------------------------------- */

/* Waits for the worker to finish, at most timeout ms, serving the calling
 * thread's messages meanwhile (an STA must keep pumping: events and
 * marshalled calls reach it as messages).  Called without cs. */
static BOOL wait_done(struct winhttp_request *request, DWORD timeout)
{
    DWORD start = GetTickCount(), waited, ret;
    MSG msg;

    for (;;)
    {
        waited = GetTickCount() - start;
        if (timeout != INFINITE && waited >= timeout) waited = timeout;
        ret = MsgWaitForMultipleObjectsEx(1, &request->done, timeout == INFINITE ? INFINITE : timeout - waited,
                                          QS_ALLINPUT, MWMO_INPUTAVAILABLE);
        if (ret == WAIT_OBJECT_0) return TRUE;
        if (ret != WAIT_OBJECT_0 + 1) return FALSE;   /* timeout or failure */
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
        {
            TranslateMessage(&msg);
            DispatchMessageW(&msg);
        }
    }
}

/* Asks a running worker to stop and waits until it has.  Called with cs
 * held; drops it while waiting. */
static void stop_worker(struct winhttp_request *request)
{
    if (!request->running) return;
    TRACE("%p: stopping the worker\n", request);
    request->abort = TRUE;
    SetEvent(request->wake);
    LeaveCriticalSection(&request->cs);
    wait_done(request, INFINITE);
    EnterCriticalSection(&request->cs);
}

/* Notifications of hrequest (the session is asynchronous). */
static void CALLBACK request_callback(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD len)
{
    struct winhttp_request *request = (struct winhttp_request *)context;

    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        SetEvent(request->closed);
        return;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        request->cb_error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        request->cb_value = 0;
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        request->cb_error = ERROR_SUCCESS;
        request->cb_value = *(DWORD *)info;
        break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        request->cb_error = ERROR_SUCCESS;
        request->cb_value = len;
        break;
    default:
        request->cb_error = ERROR_SUCCESS;
        request->cb_value = 0;
        break;
    }
    request->cb_status = status;
    SetEvent(request->wake);
}

/* Closes hrequest and waits for its last notification.  Called by the
 * worker, or by the object's thread when no worker runs; without cs. */
static void close_request_handle(struct winhttp_request *request, HINTERNET hrequest)
{
    if (!hrequest) return;
    if (WinHttpCloseHandle(hrequest)) WaitForSingleObject(request->closed, INFINITE);
}

/* Closes what Open made; no worker may run.  Called with cs held. */
static void close_handles(struct winhttp_request *request)
{
    HINTERNET hrequest = request->hrequest, hconnect = request->hconnect;

    request->hrequest = NULL;
    request->hconnect = NULL;
    LeaveCriticalSection(&request->cs);
    close_request_handle(request, hrequest);
    if (hconnect) WinHttpCloseHandle(hconnect);
    EnterCriticalSection(&request->cs);
}

static void free_response(struct winhttp_request *request)
{
    heap_free(request->body);
    request->body = NULL;
    request->body_len = request->body_size = 0;
    heap_free(request->send_data);
    request->send_data = NULL;
    request->send_len = 0;
}

/* The worker ---------------------------------------------------------------------- */

/* Starts one asynchronous call (its result: TRUE if started) and waits for
 * the notification that ends it, or for an abort. */
#define RUN_ASYNC(request, call) \
    ((call) ? wait_notification(request) : GetLastError())

static DWORD wait_notification(struct winhttp_request *request)
{
    WaitForSingleObject(request->wake, INFINITE);
    if (request->abort) return ERROR_WINHTTP_OPERATION_CANCELLED;
    return request->cb_error;
}

static HINTERNET worker_handle(struct winhttp_request *request)
{
    HINTERNET h;
    EnterCriticalSection(&request->cs);
    h = request->abort ? NULL : request->hrequest;
    LeaveCriticalSection(&request->cs);
    return h;
}

static WCHAR *query_header_alloc(HINTERNET hrequest, DWORD level, const WCHAR *name, DWORD *error)
{
    DWORD size = 0;
    WCHAR *buf;

    *error = ERROR_SUCCESS;
    if (WinHttpQueryHeaders(hrequest, level, name, NULL, &size, NULL) || GetLastError() != ERROR_INSUFFICIENT_BUFFER)
    {
        *error = GetLastError();
        return NULL;
    }
    if (!(buf = heap_alloc(size + sizeof(WCHAR))))
    {
        *error = ERROR_OUTOFMEMORY;
        return NULL;
    }
    if (!WinHttpQueryHeaders(hrequest, level, name, buf, &size, NULL))
    {
        *error = GetLastError();
        heap_free(buf);
        return NULL;
    }
    return buf;
}

/* The response headers are in: the object becomes COM_STATE_SENT and the
 * sinks hear OnResponseStart. */
static void response_started(struct winhttp_request *request, HINTERNET hrequest)
{
    DWORD status = 0, size = sizeof(status), error;
    WCHAR *type;

    EnterCriticalSection(&request->cs);
    request->state = COM_STATE_SENT;
    LeaveCriticalSection(&request->cs);
    if (!com_events_have_sinks(&request->events)) return;

    WinHttpQueryHeaders(hrequest, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &size, NULL);
    type = query_header_alloc(hrequest, WINHTTP_QUERY_CONTENT_TYPE, NULL, &error);
    com_events_response_start(&request->events, status, type ? type : L"");
    heap_free(type);
}

static DWORD append_body(struct winhttp_request *request, DWORD len, char **dest)
{
    DWORD size;
    char *body;

    EnterCriticalSection(&request->cs);
    size = request->body_size;
    if (request->body_len + len > size)
    {
        if (!size) size = 4096;
        while (size < request->body_len + len) size *= 2;
        if (!(body = heap_realloc(request->body, size)))
        {
            LeaveCriticalSection(&request->cs);
            return ERROR_OUTOFMEMORY;
        }
        request->body = body;
        request->body_size = size;
    }
    *dest = request->body + request->body_len;
    LeaveCriticalSection(&request->cs);
    return ERROR_SUCCESS;
}

/* Reads the whole body into request->body.  Only the worker grows body_len;
 * readers on other threads see a consistent prefix under cs. */
static DWORD read_body(struct winhttp_request *request)
{
    DWORD error, available;
    HINTERNET hrequest;
    char *dest;

    for (;;)
    {
        if (!(hrequest = worker_handle(request))) return ERROR_WINHTTP_OPERATION_CANCELLED;
        if ((error = RUN_ASYNC(request, WinHttpQueryDataAvailable(hrequest, NULL)))) return error;
        if (!(available = request->cb_value)) return ERROR_SUCCESS;
        if ((error = append_body(request, available, &dest))) return error;
        if ((error = RUN_ASYNC(request, WinHttpReadData(hrequest, dest, available, NULL)))) return error;
        if (!request->cb_value) return ERROR_SUCCESS;
        if (com_events_have_sinks(&request->events))
            com_events_data_available(&request->events, dest, request->cb_value);
        EnterCriticalSection(&request->cs);
        request->body_len += request->cb_value;
        LeaveCriticalSection(&request->cs);
    }
}

static DWORD send_and_receive(struct winhttp_request *request)
{
    HINTERNET hrequest;
    DWORD error;

    if (!(hrequest = worker_handle(request))) return ERROR_WINHTTP_OPERATION_CANCELLED;
    error = RUN_ASYNC(request, WinHttpSendRequest(hrequest, NULL, 0, request->send_data, request->send_len,
                                                  request->send_len, 0));
    if (error) return error;
    if ((error = RUN_ASYNC(request, WinHttpReceiveResponse(hrequest, NULL)))) return error;
    response_started(request, hrequest);
    return read_body(request);
}

static void CALLBACK send_worker(TP_CALLBACK_INSTANCE *instance, void *context)
{
    struct winhttp_request *request = context;
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    HINTERNET hrequest = NULL;
    DWORD error;

    TRACE("%p: worker starts\n", request);
    error = send_and_receive(request);
    TRACE("%p: worker ends, error %lu\n", request, error);

    if (!error) com_events_response_finished(&request->events);
    else if (error != ERROR_WINHTTP_OPERATION_CANCELLED) com_events_error(&request->events, HRESULT_FROM_WIN32(error));

    EnterCriticalSection(&request->cs);
    if (!error) request->state = COM_STATE_RECEIVED;
    if (request->abort)
    {
        /* An abort ends the request: close the handle this worker used. */
        hrequest = request->hrequest;
        request->hrequest = NULL;
        request->state = COM_STATE_INITIALIZED;
        error = ERROR_WINHTTP_OPERATION_CANCELLED;
    }
    LeaveCriticalSection(&request->cs);
    close_request_handle(request, hrequest);
    if (SUCCEEDED(init)) CoUninitialize();

    EnterCriticalSection(&request->cs);
    request->result = hresult_from_error(error);
    request->running = FALSE;
    request->abort = FALSE;
    SetEvent(request->done);
    LeaveCriticalSection(&request->cs);
}

/* IUnknown ------------------------------------------------------------------------ */

static HRESULT WINAPI request_QueryInterface(IWinHttpRequest *iface, REFIID riid, void **obj)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);

    TRACE("%p, %s, %p\n", request, debugstr_guid(riid), obj);

    if (!obj) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IWinHttpRequest) || IsEqualGUID(riid, &IID_IDispatch) ||
        IsEqualGUID(riid, &IID_IUnknown))
        *obj = iface;
    else if (IsEqualGUID(riid, &IID_IProvideClassInfo) || IsEqualGUID(riid, &IID_IProvideClassInfo2))
        *obj = &request->IProvideClassInfo2_iface;
    else if (IsEqualGUID(riid, &IID_IConnectionPointContainer))
        *obj = &request->events.IConnectionPointContainer_iface;
    else
    {
        TRACE("interface %s not supported\n", debugstr_guid(riid));
        *obj = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*obj);
    return S_OK;
}

static ULONG WINAPI request_AddRef(IWinHttpRequest *iface)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    ULONG refs = InterlockedIncrement(&request->refs);
    TRACE("%p, refs %lu\n", request, refs);
    return refs;
}

static ULONG WINAPI request_Release(IWinHttpRequest *iface)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    ULONG refs = InterlockedDecrement(&request->refs);

    TRACE("%p, refs %lu\n", request, refs);
    if (refs) return refs;

    EnterCriticalSection(&request->cs);
    stop_worker(request);
    close_handles(request);
    LeaveCriticalSection(&request->cs);
    WinHttpCloseHandle(request->hsession);
    heap_free(request->session_proxy);
    heap_free(request->session_bypass);
    com_events_cleanup(&request->events);
    free_response(request);
    heap_free(request->verb);
    heap_free(request->user_agent);
    heap_free(request->proxy_server);
    heap_free(request->proxy_bypass);
    if (request->client_cert) CertFreeCertificateContext(request->client_cert);
    CloseHandle(request->done);
    CloseHandle(request->wake);
    CloseHandle(request->closed);
    DeleteCriticalSection(&request->cs);
    heap_free(request);
    com_unlock_module();
    return 0;
}

/* IDispatch ----------------------------------------------------------------------- */

static HRESULT WINAPI request_GetTypeInfoCount(IWinHttpRequest *iface, UINT *count)
{
    TRACE("%p, %p\n", iface, count);
    if (!count) return E_INVALIDARG;
    *count = 1;
    return S_OK;
}

static HRESULT WINAPI request_GetTypeInfo(IWinHttpRequest *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    TRACE("%p, %u, %#lx, %p\n", iface, index, lcid, info);
    if (!info) return E_INVALIDARG;
    *info = NULL;
    if (index) return DISP_E_BADINDEX;
    return com_get_typeinfo(&IID_IWinHttpRequest, info);
}

static HRESULT WINAPI request_GetIDsOfNames(IWinHttpRequest *iface, REFIID riid, LPOLESTR *names, UINT count,
                                            LCID lcid, DISPID *ids)
{
    ITypeInfo *info;
    HRESULT hr;

    TRACE("%p, %s, %p, %u, %#lx, %p\n", iface, debugstr_guid(riid), names, count, lcid, ids);

    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (!names || !count || !ids) return E_INVALIDARG;
    if (FAILED(hr = com_get_typeinfo(&IID_IWinHttpRequest, &info))) return hr;
    hr = ITypeInfo_GetIDsOfNames(info, names, count, ids);
    ITypeInfo_Release(info);
    return hr;
}

/* Option is an indexed property: the index is the last argument
 * (rgvarg[cArgs - 1]), the value of a put the first (rgvarg[0]).  Windows
 * takes both from there whatever cArgs is, and treats every call that is not
 * exactly DISPATCH_PROPERTYPUT as a get. */
static HRESULT invoke_option(IWinHttpRequest *iface, WORD flags, DISPPARAMS *params, VARIANT *result,
                             UINT *arg_err)
{
    VARIANT index, unused;
    UINT err_pos;
    HRESULT hr;

    if (!result) result = &unused;
    if (!arg_err) arg_err = &err_pos;
    VariantInit(result);
    if (!flags) return S_OK;

    VariantInit(&index);
    if (FAILED(hr = DispGetParam(params, 0, VT_I4, &index, arg_err))) return hr;
    if (flags == DISPATCH_PROPERTYPUT)
        hr = IWinHttpRequest_put_Option(iface, V_I4(&index), params->rgvarg[0]);
    else
        hr = IWinHttpRequest_get_Option(iface, V_I4(&index), result);
    if (result == &unused) VariantClear(&unused);
    return hr;
}

static HRESULT WINAPI request_Invoke(IWinHttpRequest *iface, DISPID member, REFIID riid, LCID lcid, WORD flags,
                                     DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *arg_err)
{
    ITypeInfo *info;
    HRESULT hr;

    TRACE("%p, %ld, %s, %#lx, %#x, %p, %p, %p, %p\n", iface, member, debugstr_guid(riid), lcid, flags,
          params, result, excep, arg_err);

    if (!IsEqualIID(riid, &IID_NULL)) return DISP_E_UNKNOWNINTERFACE;
    if (member == DISPID_HTTPREQUEST_OPTION) return invoke_option(iface, flags, params, result, arg_err);

    if (FAILED(hr = com_get_typeinfo(&IID_IWinHttpRequest, &info))) return hr;
    hr = ITypeInfo_Invoke(info, iface, member, flags, params, result, excep, arg_err);
    ITypeInfo_Release(info);
    return hr;
}

/* Settings ------------------------------------------------------------------------ */

static HRESULT WINAPI request_SetProxy(IWinHttpRequest *iface, HTTPREQUEST_PROXY_SETTING setting,
                                       VARIANT server, VARIANT bypass)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr = S_OK;

    TRACE("%p, %ld, %s, %s\n", request, setting, debugstr_variant(&server), debugstr_variant(&bypass));

    EnterCriticalSection(&request->cs);
    switch (setting)
    {
    case HTTPREQUEST_PROXYSETTING_DEFAULT:
    case HTTPREQUEST_PROXYSETTING_DIRECT:
        request->proxy_access = setting == HTTPREQUEST_PROXYSETTING_DIRECT ? WINHTTP_ACCESS_TYPE_NO_PROXY
                                                                            : WINHTTP_ACCESS_TYPE_DEFAULT_PROXY;
        heap_free(request->proxy_server);
        heap_free(request->proxy_bypass);
        request->proxy_server = request->proxy_bypass = NULL;
        break;
    case HTTPREQUEST_PROXYSETTING_PROXY:
        request->proxy_access = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
        if (V_VT(&server) == VT_BSTR)
        {
            heap_free(request->proxy_server);
            request->proxy_server = strdupW(V_BSTR(&server));
        }
        if (V_VT(&bypass) == VT_BSTR)
        {
            heap_free(request->proxy_bypass);
            request->proxy_bypass = strdupW(V_BSTR(&bypass));
        }
        break;
    default:
        hr = E_INVALIDARG;
        break;
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

static HRESULT WINAPI request_SetCredentials(IWinHttpRequest *iface, BSTR username, BSTR password,
                                             HTTPREQUEST_SETCREDENTIALS_FLAGS flags)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    DWORD target, error = ERROR_SUCCESS;

    TRACE("%p, %s, %p, %#lx\n", request, debugstr_w(username), password, flags);

    EnterCriticalSection(&request->cs);
    if (request->state < COM_STATE_OPEN) error = ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN;
    else if (flags != HTTPREQUEST_SETCREDENTIALS_FOR_SERVER && flags != HTTPREQUEST_SETCREDENTIALS_FOR_PROXY)
        error = ERROR_INVALID_PARAMETER;
    else if (!username) error = ERROR_INVALID_PARAMETER;
    else
    {
        target = flags == HTTPREQUEST_SETCREDENTIALS_FOR_SERVER ? WINHTTP_AUTH_TARGET_SERVER
                                                                : WINHTTP_AUTH_TARGET_PROXY;
        /* Basic is the scheme every server that asks for credentials takes;
         * WinHttpSetCredentials keeps them for the challenge that comes. */
        if (!WinHttpSetCredentials(request->hrequest, target, WINHTTP_AUTH_SCHEME_BASIC, username,
                                   password ? password : L"", NULL))
            error = GetLastError();
    }
    LeaveCriticalSection(&request->cs);
    if (error == ERROR_INVALID_PARAMETER) return E_INVALIDARG;
    return hresult_from_error(error);
}

/* Escapes the characters of a URL that the code page turns into more than
 * ASCII, as %XX of the code page's bytes.  Our WinHttpOpenRequest escapes
 * with UTF-8, so this is only needed for other code pages. */
static WCHAR *escape_for_codepage(const WCHAR *path, UINT codepage)
{
    static const WCHAR hex[] = L"0123456789ABCDEF";
    size_t len = wcslen(path), i, n = 0;
    WCHAR *out = heap_alloc((len * 12 + 1) * sizeof(WCHAR));
    char bytes[8];
    int count, j;

    if (!out) return NULL;
    for (i = 0; i < len; i++)
    {
        if (path[i] < 0x80)
        {
            out[n++] = path[i];
            continue;
        }
        count = WideCharToMultiByte(codepage, 0, &path[i], 1, bytes, sizeof(bytes), NULL, NULL);
        for (j = 0; j < count; j++)
        {
            out[n++] = '%';
            out[n++] = hex[(unsigned char)bytes[j] >> 4];
            out[n++] = hex[bytes[j] & 15];
        }
    }
    out[n] = 0;
    return out;
}

static BOOL same_string(const WCHAR *a, const WCHAR *b)
{
    return a == b || (a && b && !wcscmp(a, b));
}

static BOOL session_matches_proxy(const struct winhttp_request *request)
{
    return request->hsession && request->session_access == request->proxy_access &&
           same_string(request->session_proxy, request->proxy_server) &&
           same_string(request->session_bypass, request->proxy_bypass);
}

/* The session carries the proxy setting (WinHTTP takes it at WinHttpOpen):
 * one is opened with the object's current setting when it differs from the
 * one of the session there is.  Called with cs held and no handle under
 * the session left. */
static DWORD ensure_session(struct winhttp_request *request)
{
    BOOL named = request->proxy_access == WINHTTP_ACCESS_TYPE_NAMED_PROXY;
    WCHAR *proxy = NULL, *bypass = NULL;
    HINTERNET session;
    DWORD protocols = request->options[WinHttpRequestOption_SecureProtocols];

    if (session_matches_proxy(request)) return ERROR_SUCCESS;
    if ((request->proxy_server && !(proxy = strdupW(request->proxy_server))) ||
        (request->proxy_bypass && !(bypass = strdupW(request->proxy_bypass))))
    {
        heap_free(proxy);
        return ERROR_OUTOFMEMORY;
    }
    if (!(session = WinHttpOpen(COM_USER_AGENT, request->proxy_access, named && proxy ? proxy : WINHTTP_NO_PROXY_NAME,
                                named && bypass ? bypass : WINHTTP_NO_PROXY_BYPASS, WINHTTP_FLAG_ASYNC)) ||
        ((LONG)protocols != option_table[WinHttpRequestOption_SecureProtocols].initial &&
         !WinHttpSetOption(session, WINHTTP_OPTION_SECURE_PROTOCOLS, &protocols, sizeof(protocols))))
    {
        DWORD error = GetLastError();
        if (session) WinHttpCloseHandle(session);
        heap_free(proxy);
        heap_free(bypass);
        return error;
    }
    TRACE("%p: session %p, access %lu, proxy %s\n", request, session, request->proxy_access, debugstr_w(proxy));
    if (request->hsession) WinHttpCloseHandle(request->hsession);
    heap_free(request->session_proxy);
    heap_free(request->session_bypass);
    request->hsession = session;
    request->session_access = request->proxy_access;
    request->session_proxy = proxy;
    request->session_bypass = bypass;
    return ERROR_SUCCESS;
}

static DWORD open_flags(struct winhttp_request *request, const URL_COMPONENTS *uc)
{
    DWORD flags = 0;

    if (uc->nScheme == INTERNET_SCHEME_HTTPS) flags |= WINHTTP_FLAG_SECURE;
    if (request->options[WinHttpRequestOption_EscapePercentInURL]) flags |= WINHTTP_FLAG_ESCAPE_PERCENT;
    if (request->options[WinHttpRequestOption_UrlEscapeDisable]) flags |= WINHTTP_FLAG_ESCAPE_DISABLE;
    if (request->options[WinHttpRequestOption_UrlEscapeDisableQuery]) flags |= WINHTTP_FLAG_ESCAPE_DISABLE_QUERY;
    return flags;
}

/* Open with cs held and no worker running: closes the previous request and
 * makes the new connect and request handles. */
static DWORD open_request(struct winhttp_request *request, const WCHAR *method, const URL_COMPONENTS *uc)
{
    static const WCHAR *accept[] = { L"*/*", NULL };
    WCHAR *host = NULL, *path = NULL, *escaped = NULL, *verb = NULL;
    const WCHAR *version;
    HINTERNET hconnect = NULL, hrequest = NULL;
    WINHTTP_STATUS_CALLBACK previous;
    DWORD error = ERROR_OUTOFMEMORY;
    DWORD_PTR context = (DWORD_PTR)request;

    close_handles(request);
    free_response(request);
    request->state = COM_STATE_INITIALIZED;
    request->result = S_FALSE;   /* not sent */

    if (!(host = strndupW(uc->lpszHostName, uc->dwHostNameLength))) goto done;
    if (!(path = strndupW(uc->lpszUrlPath, uc->dwUrlPathLength + uc->dwExtraInfoLength))) goto done;
    if (request->options[WinHttpRequestOption_URLCodePage] != CP_UTF8 &&
        !(escaped = escape_for_codepage(path, request->options[WinHttpRequestOption_URLCodePage]))) goto done;
    if (!(verb = strdupW(method))) goto done;
    version = request->options[WinHttpRequestOption_EnableHttp1_1] ? NULL : L"HTTP/1.0";
    if ((error = ensure_session(request))) goto done;
    error = ERROR_OUTOFMEMORY;

    if (!(hconnect = WinHttpConnect(request->hsession, host, uc->nPort, 0)) ||
        !(hrequest = WinHttpOpenRequest(hconnect, method, escaped ? escaped : path, version, WINHTTP_NO_REFERER,
                                        accept, open_flags(request, uc))))
    {
        error = GetLastError();
        goto done;
    }
    previous = WinHttpSetStatusCallback(hrequest, request_callback,
                                        WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_HANDLES, 0);
    if (previous == WINHTTP_INVALID_STATUS_CALLBACK ||
        !WinHttpSetOption(hrequest, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context)))
    {
        error = GetLastError();
        goto done;
    }
    request->hconnect = hconnect;
    request->hrequest = hrequest;
    heap_free(request->verb);
    request->verb = verb;
    request->state = COM_STATE_OPEN;
    verb = NULL;
    hconnect = hrequest = NULL;
    error = ERROR_SUCCESS;

done:
    if (hrequest) WinHttpCloseHandle(hrequest);   /* HANDLE_CLOSING has no context yet: not waited for */
    if (hconnect) WinHttpCloseHandle(hconnect);
    heap_free(host);
    heap_free(path);
    heap_free(escaped);
    heap_free(verb);
    return error;
}

static BOOL variant_is_true(const VARIANT *v)
{
    VARIANT b;

    VariantInit(&b);
    if (FAILED(VariantChangeType(&b, (VARIANT *)v, 0, VT_BOOL))) return FALSE;
    return V_BOOL(&b) != VARIANT_FALSE;
}

static HRESULT WINAPI request_Open(IWinHttpRequest *iface, BSTR method, BSTR url, VARIANT async)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    URL_COMPONENTS uc;
    DWORD error;

    TRACE("%p, %s, %s, %s\n", request, debugstr_w(method), debugstr_w(url), debugstr_variant(&async));

    if (!method || !url) return E_INVALIDARG;

    memset(&uc, 0, sizeof(uc));
    uc.dwStructSize = sizeof(uc);
    uc.dwSchemeLength = uc.dwHostNameLength = uc.dwUrlPathLength = uc.dwExtraInfoLength = ~0u;
    if (!WinHttpCrackUrl(url, 0, 0, &uc)) return HRESULT_FROM_WIN32(GetLastError());

    EnterCriticalSection(&request->cs);
    stop_worker(request);
    request->async = variant_is_true(&async);
    error = open_request(request, method, &uc);
    LeaveCriticalSection(&request->cs);
    return hresult_from_error(error);
}

static HRESULT WINAPI request_SetRequestHeader(IWinHttpRequest *iface, BSTR header, BSTR value)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    DWORD error = ERROR_SUCCESS;
    size_t len;
    WCHAR *line;

    TRACE("%p, %s, %s\n", request, debugstr_w(header), debugstr_w(value));

    if (!header) return E_INVALIDARG;

    EnterCriticalSection(&request->cs);
    if (request->state < COM_STATE_OPEN) error = ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN;
    else if (request->state >= COM_STATE_SENT || request->running) error = ERROR_WINHTTP_CANNOT_CALL_AFTER_SEND;
    else
    {
        len = wcslen(header) + (value ? wcslen(value) : 0) + 5;
        if (!(line = heap_alloc(len * sizeof(WCHAR)))) error = ERROR_OUTOFMEMORY;
        else
        {
            /* An empty value removes the header (REPLACE with nothing). */
            swprintf(line, len, L"%ls: %ls\r\n", header, value ? value : L"");
            if (!WinHttpAddRequestHeaders(request->hrequest, line, -1L,
                                          WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE))
                error = GetLastError();
            heap_free(line);
        }
    }
    LeaveCriticalSection(&request->cs);
    return hresult_from_error(error);
}

/* Response access: every getter needs the response headers (SENT); the
 * body ones also need the whole body, which an asynchronous request may
 * still be reading (E_PENDING). */
static HRESULT check_response(struct winhttp_request *request, BOOL need_body)
{
    if (request->state < COM_STATE_SENT) return HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND);
    if (need_body && request->state < COM_STATE_RECEIVED)
        return request->running ? E_PENDING : request->result;
    return S_OK;
}

static HRESULT query_header_bstr(struct winhttp_request *request, DWORD level, const WCHAR *name, BSTR *out)
{
    DWORD error;
    WCHAR *value = query_header_alloc(request->hrequest, level, name, &error);

    if (!value) return HRESULT_FROM_WIN32(error);
    *out = SysAllocString(value);
    heap_free(value);
    return *out ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI request_GetResponseHeader(IWinHttpRequest *iface, BSTR header, BSTR *value)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr;

    TRACE("%p, %s, %p\n", request, debugstr_w(header), value);

    EnterCriticalSection(&request->cs);
    if (SUCCEEDED(hr = check_response(request, FALSE)))
    {
        if (!header || !value) hr = E_INVALIDARG;
        else hr = query_header_bstr(request, WINHTTP_QUERY_CUSTOM, header, value);
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

static HRESULT WINAPI request_GetAllResponseHeaders(IWinHttpRequest *iface, BSTR *headers)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr;
    WCHAR *p;

    TRACE("%p, %p\n", request, headers);

    if (!headers) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    if (SUCCEEDED(hr = check_response(request, FALSE)) &&
        SUCCEEDED(hr = query_header_bstr(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, NULL, headers)))
    {
        /* Windows leaves out the status line: only the header lines. */
        if ((p = wcsstr(*headers, L"\r\n")))
        {
            BSTR rest = SysAllocString(p + 2);
            SysFreeString(*headers);
            *headers = rest;
            if (!rest) hr = E_OUTOFMEMORY;
        }
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* Send ---------------------------------------------------------------------------- */

static BOOL has_non_ascii(const WCHAR *str, UINT len)
{
    UINT i;
    for (i = 0; i < len; i++) if (str[i] >= 0x80) return TRUE;
    return FALSE;
}

static HRESULT capture_string(struct winhttp_request *request, BSTR str)
{
    UINT len = SysStringLen(str);
    int size = WideCharToMultiByte(CP_UTF8, 0, str, len, NULL, 0, NULL, NULL);

    if (!(request->send_data = heap_alloc(size ? size : 1))) return E_OUTOFMEMORY;
    WideCharToMultiByte(CP_UTF8, 0, str, len, request->send_data, size, NULL, NULL);
    request->send_len = size;
    /* Text that is not ASCII goes as UTF-8, and the server is told so. */
    if (has_non_ascii(str, len))
    {
        WinHttpAddRequestHeaders(request->hrequest, L"Content-Type: text/plain", -1L, WINHTTP_ADDREQ_FLAG_ADD_IF_NEW);
        WinHttpAddRequestHeaders(request->hrequest, L"Content-Type: charset=UTF-8", -1L,
                                 WINHTTP_ADDREQ_FLAG_COALESCE_WITH_SEMICOLON);
    }
    return S_OK;
}

static HRESULT capture_array(struct winhttp_request *request, SAFEARRAY *sa)
{
    LONG lower, upper;
    void *data;
    HRESULT hr;

    if (SafeArrayGetDim(sa) != 1) return DISP_E_TYPEMISMATCH;
    if (FAILED(hr = SafeArrayGetLBound(sa, 1, &lower)) || FAILED(hr = SafeArrayGetUBound(sa, 1, &upper))) return hr;
    request->send_len = upper >= lower ? upper - lower + 1 : 0;
    if (!(request->send_data = heap_alloc(request->send_len ? request->send_len : 1))) return E_OUTOFMEMORY;
    if (FAILED(hr = SafeArrayAccessData(sa, &data))) return hr;
    memcpy(request->send_data, data, request->send_len);
    SafeArrayUnaccessData(sa);
    return S_OK;
}

/* The stream is read here, on the caller's thread: it may belong to the
 * caller's apartment. */
static HRESULT capture_stream(struct winhttp_request *request, IStream *stream)
{
    DWORD size = 0, capacity = 4096;
    ULONG read;
    char *data = heap_alloc(capacity), *bigger;
    HRESULT hr;

    if (!data) return E_OUTOFMEMORY;
    for (;;)
    {
        if (size == capacity)
        {
            if (!(bigger = heap_realloc(data, capacity * 2)))
            {
                heap_free(data);
                return E_OUTOFMEMORY;
            }
            data = bigger;
            capacity *= 2;
        }
        read = 0;
        hr = IStream_Read(stream, data + size, capacity - size, &read);
        if (FAILED(hr))
        {
            heap_free(data);
            return hr;
        }
        size += read;
        if (!read || hr == S_FALSE) break;
    }
    request->send_data = data;
    request->send_len = size;
    return S_OK;
}

static HRESULT capture_body(struct winhttp_request *request, const VARIANT *body)
{
    VARIANT copy, text;
    IStream *stream;
    HRESULT hr;

    VariantInit(&copy);
    if (FAILED(hr = VariantCopyInd(&copy, (VARIANT *)body))) return hr;
    switch (V_VT(&copy))
    {
    case VT_EMPTY:
    case VT_NULL:
    case VT_ERROR:   /* the optional argument left out */
        hr = S_OK;
        break;
    case VT_BSTR:
        hr = capture_string(request, V_BSTR(&copy));
        break;
    case VT_ARRAY | VT_UI1:
    case VT_ARRAY | VT_I1:
        hr = capture_array(request, V_ARRAY(&copy));
        break;
    case VT_UNKNOWN:
    case VT_DISPATCH:
        if (V_UNKNOWN(&copy) && SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(&copy), &IID_IStream, (void **)&stream)))
        {
            hr = capture_stream(request, stream);
            IStream_Release(stream);
            break;
        }
        /* fall through - an object with a text value */
    default:
        VariantInit(&text);
        if (SUCCEEDED(hr = VariantChangeType(&text, &copy, 0, VT_BSTR)))
            hr = capture_string(request, V_BSTR(&text));
        else hr = DISP_E_TYPEMISMATCH;
        VariantClear(&text);
        break;
    }
    VariantClear(&copy);
    return hr;
}

static BOOL set_dword_option(HINTERNET handle, DWORD option, DWORD value)
{
    return WinHttpSetOption(handle, option, &value, sizeof(value));
}

/* Hands the settings to the request handle before it is sent.  Each is set
 * only when it differs from WinHTTP's default, so a setting nobody changed
 * can never make Send fail. */
static DWORD apply_settings(struct winhttp_request *request)
{
    HINTERNET h = request->hrequest;
    const LONG *o = request->options;

    if (!WinHttpSetTimeouts(h, request->resolve_timeout, request->connect_timeout, request->send_timeout,
                            request->receive_timeout))
        return GetLastError();
    if (wcscmp(request->user_agent, COM_USER_AGENT))
    {
        size_t len = wcslen(request->user_agent) + 16;
        WCHAR *line = heap_alloc(len * sizeof(WCHAR));
        BOOL ret;

        if (!line) return ERROR_OUTOFMEMORY;
        swprintf(line, len, L"User-Agent: %ls", request->user_agent);
        ret = WinHttpAddRequestHeaders(h, line, -1L, WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE);
        heap_free(line);
        if (!ret) return GetLastError();
    }
    if (!session_matches_proxy(request))
    {
        WINHTTP_PROXY_INFO info = { request->proxy_access, request->proxy_server, request->proxy_bypass };
        /* Changed since Open: only WINHTTP_OPTION_PROXY can carry it now. */
        if (!WinHttpSetOption(h, WINHTTP_OPTION_PROXY, &info, sizeof(info))) return GetLastError();
    }
    if (request->logon_policy_set && !set_dword_option(h, WINHTTP_OPTION_AUTOLOGON_POLICY, request->logon_policy))
        return GetLastError();
    if (o[WinHttpRequestOption_SslErrorIgnoreFlags] &&
        !set_dword_option(h, WINHTTP_OPTION_SECURITY_FLAGS, o[WinHttpRequestOption_SslErrorIgnoreFlags]))
        return GetLastError();
    if (request->client_cert &&
        !WinHttpSetOption(h, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, (void *)request->client_cert, sizeof(CERT_CONTEXT)))
        return GetLastError();
    if (!o[WinHttpRequestOption_EnableRedirects] &&
        !set_dword_option(h, WINHTTP_OPTION_DISABLE_FEATURE, WINHTTP_DISABLE_REDIRECTS))
        return GetLastError();
    if (o[WinHttpRequestOption_EnableHttpsToHttpRedirects] &&
        !set_dword_option(h, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_ALWAYS))
        return GetLastError();
    if (o[WinHttpRequestOption_MaxAutomaticRedirects] != option_table[WinHttpRequestOption_MaxAutomaticRedirects].initial &&
        !set_dword_option(h, WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS, o[WinHttpRequestOption_MaxAutomaticRedirects]))
        return GetLastError();
    if (o[WinHttpRequestOption_MaxResponseHeaderSize] != option_table[WinHttpRequestOption_MaxResponseHeaderSize].initial &&
        !set_dword_option(h, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, o[WinHttpRequestOption_MaxResponseHeaderSize]))
        return GetLastError();
    if (o[WinHttpRequestOption_MaxResponseDrainSize] != option_table[WinHttpRequestOption_MaxResponseDrainSize].initial &&
        !set_dword_option(h, WINHTTP_OPTION_MAX_RESPONSE_DRAIN_SIZE, o[WinHttpRequestOption_MaxResponseDrainSize]))
        return GetLastError();
    if (o[WinHttpRequestOption_EnableCertificateRevocationCheck] &&
        !set_dword_option(h, WINHTTP_OPTION_ENABLE_FEATURE, WINHTTP_ENABLE_SSL_REVOCATION))
        return GetLastError();
    if (o[WinHttpRequestOption_RejectUserpwd] && !set_dword_option(h, WINHTTP_OPTION_REJECT_USERPWD_IN_URL, TRUE))
        return GetLastError();
    return ERROR_SUCCESS;
}

static HRESULT WINAPI request_Send(IWinHttpRequest *iface, VARIANT body)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr;
    DWORD error;

    TRACE("%p, %s\n", request, debugstr_variant(&body));

    EnterCriticalSection(&request->cs);
    if (request->state < COM_STATE_OPEN)
    {
        LeaveCriticalSection(&request->cs);
        return HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN);
    }
    /* Sent already (or being sent): nothing more to do. */
    if (request->state >= COM_STATE_SENT || request->running)
    {
        LeaveCriticalSection(&request->cs);
        return S_OK;
    }
    free_response(request);
    if (wcscmp(request->verb, L"GET") && FAILED(hr = capture_body(request, &body)))
    {
        free_response(request);
        LeaveCriticalSection(&request->cs);
        return hr;
    }
    if ((error = apply_settings(request)))
    {
        LeaveCriticalSection(&request->cs);
        return HRESULT_FROM_WIN32(error);
    }
    ResetEvent(request->wake);
    ResetEvent(request->done);
    request->running = TRUE;
    request->abort = FALSE;
    request->result = E_PENDING;
    if (!TrySubmitThreadpoolCallback(send_worker, request, NULL))
    {
        error = GetLastError();
        request->running = FALSE;
        SetEvent(request->done);
        LeaveCriticalSection(&request->cs);
        return HRESULT_FROM_WIN32(error);
    }
    if (request->async)
    {
        LeaveCriticalSection(&request->cs);
        return S_OK;
    }
    LeaveCriticalSection(&request->cs);
    wait_done(request, INFINITE);
    EnterCriticalSection(&request->cs);
    hr = request->result;
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* Response ------------------------------------------------------------------------ */

static HRESULT WINAPI request_get_Status(IWinHttpRequest *iface, LONG *status)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    DWORD code, size = sizeof(code);
    HRESULT hr;

    TRACE("%p, %p\n", request, status);

    if (!status) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    if (SUCCEEDED(hr = check_response(request, FALSE)))
    {
        if (WinHttpQueryHeaders(request->hrequest, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL,
                                &code, &size, NULL))
            *status = code;
        else hr = HRESULT_FROM_WIN32(GetLastError());
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

static HRESULT WINAPI request_get_StatusText(IWinHttpRequest *iface, BSTR *text)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr;

    TRACE("%p, %p\n", request, text);

    if (!text) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    if (SUCCEEDED(hr = check_response(request, FALSE)))
        hr = query_header_bstr(request, WINHTTP_QUERY_STATUS_TEXT, NULL, text);
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* The code page of Content-Type's charset parameter. */
static UINT charset_codepage(const WCHAR *content_type)
{
    static const struct { const WCHAR *name; UINT codepage; } charsets[] =
    {
        { L"utf-8", CP_UTF8 }, { L"utf8", CP_UTF8 }, { L"us-ascii", 20127 },
        { L"iso-8859-1", 28591 }, { L"latin1", 28591 }, { L"iso-8859-2", 28592 }, { L"iso-8859-15", 28605 },
        { L"windows-1250", 1250 }, { L"windows-1251", 1251 }, { L"windows-1252", 1252 },
        { L"windows-1253", 1253 }, { L"windows-1254", 1254 }, { L"windows-1255", 1255 },
        { L"windows-1256", 1256 }, { L"windows-1257", 1257 }, { L"windows-1258", 1258 },
        { L"koi8-r", 20866 }, { L"koi8-u", 21866 }, { L"shift_jis", 932 }, { L"euc-jp", 20932 },
        { L"gb2312", 936 }, { L"gbk", 936 }, { L"big5", 950 }, { L"euc-kr", 949 },
        { L"utf-16", 1200 }, { L"utf-16le", 1200 }, { L"unicode", 1200 },
    };
    const WCHAR *p;
    WCHAR name[32];
    size_t n = 0, i;

    if (!content_type || !(p = wcsstr(content_type, L"charset"))) return CP_ACP;
    p += 7;
    while (*p == ' ') p++;
    if (*p++ != '=') return CP_ACP;
    while (*p == ' ' || *p == '"') p++;
    while (*p && *p != ';' && *p != ' ' && *p != '"' && n < ARRAY_SIZE(name) - 1) name[n++] = *p++;
    name[n] = 0;
    for (i = 0; i < ARRAY_SIZE(charsets); i++)
        if (!_wcsicmp(name, charsets[i].name)) return charsets[i].codepage;
    return CP_ACP;
}

static HRESULT WINAPI request_get_ResponseText(IWinHttpRequest *iface, BSTR *text)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    const char *data;
    DWORD len, error;
    WCHAR *type;
    UINT codepage;
    HRESULT hr;
    int count;

    TRACE("%p, %p\n", request, text);

    if (!text) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    if (FAILED(hr = check_response(request, TRUE))) goto done;

    type = query_header_alloc(request->hrequest, WINHTTP_QUERY_CONTENT_TYPE, NULL, &error);
    codepage = charset_codepage(type);
    heap_free(type);
    data = request->body;
    len = request->body_len;
    /* A byte-order mark names the encoding whatever the header says. */
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
    {
        codepage = CP_UTF8;
        data += 3;
        len -= 3;
    }
    else if (len >= 2 && !memcmp(data, "\xff\xfe", 2))
    {
        codepage = 1200;
        data += 2;
        len -= 2;
    }
    if (codepage == 1200)
    {
        *text = SysAllocStringLen((const WCHAR *)data, len / sizeof(WCHAR));
        hr = *text ? S_OK : E_OUTOFMEMORY;
        goto done;
    }
    count = MultiByteToWideChar(codepage, 0, data, len, NULL, 0);
    if (!(*text = SysAllocStringLen(NULL, count)))
    {
        hr = E_OUTOFMEMORY;
        goto done;
    }
    MultiByteToWideChar(codepage, 0, data, len, *text, count);
    (*text)[count] = 0;

done:
    LeaveCriticalSection(&request->cs);
    return hr;
}

static HRESULT WINAPI request_get_ResponseBody(IWinHttpRequest *iface, VARIANT *body)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    SAFEARRAY *sa;
    void *data;
    HRESULT hr;

    TRACE("%p, %p\n", request, body);

    if (!body) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    if (SUCCEEDED(hr = check_response(request, TRUE)))
    {
        if (!(sa = SafeArrayCreateVector(VT_UI1, 0, request->body_len))) hr = E_OUTOFMEMORY;
        else if (FAILED(hr = SafeArrayAccessData(sa, &data))) SafeArrayDestroy(sa);
        else
        {
            memcpy(data, request->body, request->body_len);
            SafeArrayUnaccessData(sa);
            V_VT(body) = VT_ARRAY | VT_UI1;
            V_ARRAY(body) = sa;
        }
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* A stream of its own over a copy of the body, positioned at the start. */
static HRESULT WINAPI request_get_ResponseStream(IWinHttpRequest *iface, VARIANT *body)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    IStream *stream;
    HGLOBAL mem;
    HRESULT hr;

    TRACE("%p, %p\n", request, body);

    if (!body) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    if (SUCCEEDED(hr = check_response(request, TRUE)))
    {
        if (!(mem = GlobalAlloc(GMEM_MOVEABLE, request->body_len ? request->body_len : 1))) hr = E_OUTOFMEMORY;
        else
        {
            memcpy(GlobalLock(mem), request->body, request->body_len);
            GlobalUnlock(mem);
            if (FAILED(hr = CreateStreamOnHGlobal(mem, TRUE, &stream))) GlobalFree(mem);
            else
            {
                ULARGE_INTEGER size;
                size.QuadPart = request->body_len;
                IStream_SetSize(stream, size);
                V_VT(body) = VT_UNKNOWN;
                V_UNKNOWN(body) = (IUnknown *)stream;
            }
        }
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* Option -------------------------------------------------------------------------- */

static HRESULT get_special_option(struct winhttp_request *request, WinHttpRequestOption option, VARIANT *value)
{
    WCHAR *str = NULL;
    DWORD size = 0;

    switch (option)
    {
    case WinHttpRequestOption_UserAgentString:
        V_VT(value) = VT_BSTR;
        V_BSTR(value) = SysAllocString(request->user_agent);
        return V_BSTR(value) ? S_OK : E_OUTOFMEMORY;
    case WinHttpRequestOption_URL:
        if (request->state < COM_STATE_OPEN) return HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN);
        WinHttpQueryOption(request->hrequest, WINHTTP_OPTION_URL, NULL, &size);
        if (!size || !(str = heap_alloc(size))) break;
        if (WinHttpQueryOption(request->hrequest, WINHTTP_OPTION_URL, str, &size))
        {
            V_VT(value) = VT_BSTR;
            V_BSTR(value) = SysAllocString(str);
            heap_free(str);
            return V_BSTR(value) ? S_OK : E_OUTOFMEMORY;
        }
        heap_free(str);
        break;
    case WinHttpRequestOption_URLCodePage:
    case WinHttpRequestOption_SecureProtocols:   /* WinHTTP can set it, not tell it */
        V_VT(value) = VT_I4;
        V_I4(value) = request->options[option];
        return S_OK;
    default:   /* SelectCertificate can only be set */
        return E_INVALIDARG;
    }
    return HRESULT_FROM_WIN32(GetLastError());
}

static HRESULT WINAPI request_get_Option(IWinHttpRequest *iface, WinHttpRequestOption option, VARIANT *value)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr = S_OK;

    TRACE("%p, %d, %p\n", request, option, value);

    if (!value) return E_INVALIDARG;
    if ((unsigned)option >= OPTION_COUNT) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    switch (option_table[option].kind)
    {
    case OPTION_BOOL:
        V_VT(value) = VT_BOOL;
        V_BOOL(value) = request->options[option] ? VARIANT_TRUE : VARIANT_FALSE;
        break;
    case OPTION_LONG:
        V_VT(value) = VT_I4;
        V_I4(value) = request->options[option];
        break;
    case OPTION_SPECIAL:
        hr = get_special_option(request, option, value);
        break;
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* "[LOCATION\\][STORE\\]SUBJECT": the parts left out are CURRENT_USER and
 * MY; the first certificate whose subject contains SUBJECT (any, if SUBJECT
 * is empty). */
static HRESULT find_client_cert(const WCHAR *selector, PCCERT_CONTEXT *cert)
{
    const WCHAR *parts[3] = { L"CURRENT_USER", L"MY", L"" };
    WCHAR *copy = strdupW(selector ? selector : L""), *split[3], *s;
    DWORD location;
    HCERTSTORE store;
    int count = 0, i;

    if (!copy) return E_OUTOFMEMORY;
    for (s = copy; s && count < 3; count++)
    {
        split[count] = s;
        if ((s = wcschr(s, '\\'))) *s++ = 0;
    }
    /* The parts given are the last ones. */
    for (i = 0; i < count; i++) parts[3 - count + i] = split[i];

    location = !_wcsicmp(parts[0], L"LOCAL_MACHINE") ? CERT_SYSTEM_STORE_LOCAL_MACHINE
                                                      : CERT_SYSTEM_STORE_CURRENT_USER;
    *cert = NULL;
    if ((store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, location | CERT_STORE_READONLY_FLAG, parts[1])))
    {
        *cert = CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                           parts[2][0] ? CERT_FIND_SUBJECT_STR_W : CERT_FIND_ANY,
                                           parts[2][0] ? parts[2] : NULL, NULL);
        CertCloseStore(store, 0);
    }
    heap_free(copy);
    return *cert ? S_OK : HRESULT_FROM_WIN32(CRYPT_E_NOT_FOUND);
}

static HRESULT set_client_cert(struct winhttp_request *request, const WCHAR *selector)
{
    PCCERT_CONTEXT cert;
    HRESULT hr = find_client_cert(selector, &cert);

    if (FAILED(hr)) return hr;
    if (request->client_cert) CertFreeCertificateContext(request->client_cert);
    request->client_cert = cert;
    return S_OK;
}

static HRESULT put_special_option(struct winhttp_request *request, WinHttpRequestOption option, VARIANT *value)
{
    VARIANT v;
    HRESULT hr;

    VariantInit(&v);
    switch (option)
    {
    case WinHttpRequestOption_UserAgentString:
        if (FAILED(hr = VariantChangeType(&v, value, 0, VT_BSTR))) return hr;
        heap_free(request->user_agent);
        request->user_agent = strdupW(V_BSTR(&v) ? V_BSTR(&v) : L"");
        VariantClear(&v);
        return request->user_agent ? S_OK : E_OUTOFMEMORY;
    case WinHttpRequestOption_URLCodePage:
        if (SUCCEEDED(VariantChangeType(&v, value, 0, VT_UI4)))
        {
            request->options[option] = V_UI4(&v);
            return S_OK;
        }
        if (V_VT(value) == VT_BSTR && !_wcsicmp(V_BSTR(value), L"utf-8"))
        {
            request->options[option] = CP_UTF8;
            return S_OK;
        }
        FIXME("code page %s not recognized\n", debugstr_variant(value));
        return E_INVALIDARG;
    case WinHttpRequestOption_SecureProtocols:
        if (FAILED(hr = VariantChangeType(&v, value, 0, VT_I4))) return hr;
        if (!set_dword_option(request->hsession, WINHTTP_OPTION_SECURE_PROTOCOLS, V_I4(&v)))
            return HRESULT_FROM_WIN32(GetLastError());
        request->options[option] = V_I4(&v);
        return S_OK;
    case WinHttpRequestOption_SelectCertificate:
        if (FAILED(hr = VariantChangeType(&v, value, 0, VT_BSTR))) return hr;
        hr = set_client_cert(request, V_BSTR(&v));
        VariantClear(&v);
        return hr;
    default:   /* URL is read-only */
        return E_INVALIDARG;
    }
}

static HRESULT WINAPI request_put_Option(IWinHttpRequest *iface, WinHttpRequestOption option, VARIANT value)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr = S_OK;
    VARIANT v;

    TRACE("%p, %d, %s\n", request, option, debugstr_variant(&value));

    if ((unsigned)option >= OPTION_COUNT) return E_INVALIDARG;
    VariantInit(&v);
    EnterCriticalSection(&request->cs);
    switch (option_table[option].kind)
    {
    case OPTION_BOOL:
        if (FAILED(hr = VariantChangeType(&v, &value, 0, VT_BOOL))) break;
        /* Features this DLL does not have can be switched off, not on. */
        if (V_BOOL(&v) && (option == WinHttpRequestOption_EnableTracing ||
                           option == WinHttpRequestOption_EnablePassportAuthentication))
        {
            FIXME("option %d not supported\n", option);
            hr = E_NOTIMPL;
            break;
        }
        request->options[option] = V_BOOL(&v) != VARIANT_FALSE;
        break;
    case OPTION_LONG:
        if (FAILED(hr = VariantChangeType(&v, &value, 0, VT_I4))) break;
        /* Windows refuses other bits than SslErrorFlag_Ignore_All's and keeps
         * the old value (Wine 10's test_IWinHttpRequest). */
        if (option == WinHttpRequestOption_SslErrorIgnoreFlags && (V_I4(&v) & ~SECURITY_FLAGS_IGNORABLE))
        {
            WARN("invalid SslErrorIgnoreFlags %#lx\n", V_I4(&v));
            hr = E_INVALIDARG;
            break;
        }
        request->options[option] = V_I4(&v);
        break;
    case OPTION_SPECIAL:
        hr = put_special_option(request, option, &value);
        break;
    }
    LeaveCriticalSection(&request->cs);
    return hr;
}

/* Waiting, aborting, the rest ----------------------------------------------------- */

static HRESULT WINAPI request_WaitForResponse(IWinHttpRequest *iface, VARIANT timeout, VARIANT_BOOL *succeeded)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    DWORD msecs = INFINITE;
    VARIANT seconds;
    HRESULT hr;
    BOOL done;

    TRACE("%p, %s, %p\n", request, debugstr_variant(&timeout), succeeded);

    /* Seconds; left out or -1: as long as it takes. */
    VariantInit(&seconds);
    if (V_VT(&timeout) != VT_ERROR && V_VT(&timeout) != VT_EMPTY)
    {
        if (FAILED(hr = VariantChangeType(&seconds, &timeout, 0, VT_I4))) return hr;
        if (V_I4(&seconds) >= 0) msecs = V_I4(&seconds) * 1000;
    }

    EnterCriticalSection(&request->cs);
    if (request->state < COM_STATE_OPEN)
    {
        LeaveCriticalSection(&request->cs);
        return HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_OPEN);
    }
    if (request->state < COM_STATE_SENT && !request->running && request->result == S_FALSE)
    {
        LeaveCriticalSection(&request->cs);
        return HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CALL_BEFORE_SEND);
    }
    LeaveCriticalSection(&request->cs);

    done = wait_done(request, msecs);
    EnterCriticalSection(&request->cs);
    hr = done ? request->result : S_OK;
    LeaveCriticalSection(&request->cs);
    if (succeeded) *succeeded = done ? VARIANT_TRUE : VARIANT_FALSE;
    return hr;
}

static HRESULT WINAPI request_Abort(IWinHttpRequest *iface)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);

    TRACE("%p\n", request);

    EnterCriticalSection(&request->cs);
    if (request->running)
    {
        stop_worker(request);
        request->result = HRESULT_FROM_WIN32(ERROR_WINHTTP_OPERATION_CANCELLED);
    }
    else if (request->state >= COM_STATE_OPEN)
    {
        close_handles(request);
        request->state = COM_STATE_INITIALIZED;
    }
    LeaveCriticalSection(&request->cs);
    return S_OK;
}

static HRESULT WINAPI request_SetTimeouts(IWinHttpRequest *iface, LONG resolve, LONG connect, LONG send, LONG receive)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);

    TRACE("%p, %ld, %ld, %ld, %ld\n", request, resolve, connect, send, receive);

    /* WinHttpSetTimeouts' rule: -1 is infinite, below that is invalid. */
    if (resolve < -1 || connect < -1 || send < -1 || receive < -1) return E_INVALIDARG;
    EnterCriticalSection(&request->cs);
    request->resolve_timeout = resolve;
    request->connect_timeout = connect;
    request->send_timeout = send;
    request->receive_timeout = receive;
    LeaveCriticalSection(&request->cs);
    return S_OK;
}

static HRESULT WINAPI request_SetClientCertificate(IWinHttpRequest *iface, BSTR certificate)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    HRESULT hr;

    TRACE("%p, %s\n", request, debugstr_w(certificate));

    EnterCriticalSection(&request->cs);
    hr = set_client_cert(request, certificate);
    LeaveCriticalSection(&request->cs);
    return hr;
}

static HRESULT WINAPI request_SetAutoLogonPolicy(IWinHttpRequest *iface, WinHttpRequestAutoLogonPolicy policy)
{
    struct winhttp_request *request = impl_from_IWinHttpRequest(iface);
    DWORD level;

    TRACE("%p, %d\n", request, policy);

    switch (policy)
    {
    case AutoLogonPolicy_Always:            level = WINHTTP_AUTOLOGON_SECURITY_LEVEL_LOW; break;
    case AutoLogonPolicy_OnlyIfBypassProxy: level = WINHTTP_AUTOLOGON_SECURITY_LEVEL_MEDIUM; break;
    case AutoLogonPolicy_Never:             level = WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH; break;
    default: return E_INVALIDARG;
    }
    EnterCriticalSection(&request->cs);
    request->logon_policy = level;
    /* Medium is WinHTTP's own default: nothing to hand over. */
    request->logon_policy_set = level != WINHTTP_AUTOLOGON_SECURITY_LEVEL_MEDIUM;
    LeaveCriticalSection(&request->cs);
    return S_OK;
}

static const IWinHttpRequestVtbl request_vtbl =
{
    request_QueryInterface,
    request_AddRef,
    request_Release,
    request_GetTypeInfoCount,
    request_GetTypeInfo,
    request_GetIDsOfNames,
    request_Invoke,
    request_SetProxy,
    request_SetCredentials,
    request_Open,
    request_SetRequestHeader,
    request_GetResponseHeader,
    request_GetAllResponseHeaders,
    request_Send,
    request_get_Status,
    request_get_StatusText,
    request_get_ResponseText,
    request_get_ResponseBody,
    request_get_ResponseStream,
    request_get_Option,
    request_put_Option,
    request_WaitForResponse,
    request_Abort,
    request_SetTimeouts,
    request_SetClientCertificate,
    request_SetAutoLogonPolicy,
};

/* IProvideClassInfo2 -------------------------------------------------------------- */

static inline struct winhttp_request *impl_from_IProvideClassInfo2(IProvideClassInfo2 *iface)
{
    return CONTAINING_RECORD(iface, struct winhttp_request, IProvideClassInfo2_iface);
}

static HRESULT WINAPI classinfo_QueryInterface(IProvideClassInfo2 *iface, REFIID riid, void **obj)
{
    struct winhttp_request *request = impl_from_IProvideClassInfo2(iface);
    return IWinHttpRequest_QueryInterface(&request->IWinHttpRequest_iface, riid, obj);
}

static ULONG WINAPI classinfo_AddRef(IProvideClassInfo2 *iface)
{
    struct winhttp_request *request = impl_from_IProvideClassInfo2(iface);
    return IWinHttpRequest_AddRef(&request->IWinHttpRequest_iface);
}

static ULONG WINAPI classinfo_Release(IProvideClassInfo2 *iface)
{
    struct winhttp_request *request = impl_from_IProvideClassInfo2(iface);
    return IWinHttpRequest_Release(&request->IWinHttpRequest_iface);
}

static HRESULT WINAPI classinfo_GetClassInfo(IProvideClassInfo2 *iface, ITypeInfo **info)
{
    TRACE("%p, %p\n", iface, info);
    if (!info) return E_POINTER;
    return com_get_typeinfo(&CLSID_WinHttpRequest, info);
}

static HRESULT WINAPI classinfo_GetGUID(IProvideClassInfo2 *iface, DWORD kind, GUID *guid)
{
    TRACE("%p, %lu, %p\n", iface, kind, guid);
    if (!guid) return E_POINTER;
    if (kind != GUIDKIND_DEFAULT_SOURCE_DISP_IID)
    {
        memset(guid, 0, sizeof(*guid));
        return E_INVALIDARG;
    }
    *guid = IID_IWinHttpRequestEvents;
    return S_OK;
}

static const IProvideClassInfo2Vtbl classinfo_vtbl =
{
    classinfo_QueryInterface,
    classinfo_AddRef,
    classinfo_Release,
    classinfo_GetClassInfo,
    classinfo_GetGUID,
};

/* Creation ------------------------------------------------------------------------ */

HRESULT winhttp_request_create(REFIID riid, void **obj)
{
    struct winhttp_request *request;
    HRESULT hr;
    int i;

    TRACE("%s, %p\n", debugstr_guid(riid), obj);

    *obj = NULL;
    if (!(request = heap_alloc_zero(sizeof(*request)))) return E_OUTOFMEMORY;
    request->IWinHttpRequest_iface.lpVtbl = &request_vtbl;
    request->IProvideClassInfo2_iface.lpVtbl = &classinfo_vtbl;
    request->refs = 1;
    InitializeCriticalSection(&request->cs);
    com_events_init(&request->events, (IUnknown *)&request->IWinHttpRequest_iface);
    request->done = CreateEventW(NULL, TRUE, TRUE, NULL);
    request->wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    request->closed = CreateEventW(NULL, FALSE, FALSE, NULL);
    /* Windows' defaults for this object (not WinHTTP's: longer connects). */
    request->resolve_timeout = 0;
    request->connect_timeout = 60000;
    request->send_timeout = 30000;
    request->receive_timeout = 30000;
    request->proxy_access = WINHTTP_ACCESS_TYPE_DEFAULT_PROXY;
    request->result = S_FALSE;   /* never sent */
    request->user_agent = strdupW(COM_USER_AGENT);
    for (i = 0; i < OPTION_COUNT; i++) request->options[i] = option_table[i].initial;
    com_lock_module();

    if (!request->done || !request->wake || !request->closed || !request->user_agent)
        hr = E_OUTOFMEMORY;
    else hr = HRESULT_FROM_WIN32(ensure_session(request));
    if (FAILED(hr))
    {
        IWinHttpRequest_Release(&request->IWinHttpRequest_iface);
        return hr;
    }
    hr = IWinHttpRequest_QueryInterface(&request->IWinHttpRequest_iface, riid, obj);
    IWinHttpRequest_Release(&request->IWinHttpRequest_iface);
    TRACE("created %p\n", request);
    return hr;
}
