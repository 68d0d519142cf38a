' WinHttp.WinHttpRequest.5.1 from VBScript, run by Wine's cscript.exe
' (tools/test-cscript.sh).  Argument: the test server's base URL.
' Prints "ok - WHAT" or "not ok - WHAT: DETAIL" per check, "done" at the end.
Option Explicit
Dim base, r, body, text, t0
base = WScript.Arguments(0)

Sub Check(cond, what, detail)
    If cond Then
        WScript.Echo "ok - " & what
    Else
        WScript.Echo "not ok - " & what & ": " & detail
    End If
End Sub

Set r = CreateObject("WinHttp.WinHttpRequest.5.1")

' GET
r.Open "GET", base & "/http/hello", False
r.Send
Check r.Status = 200, "GET status", r.Status
Check r.StatusText = "OK", "GET status text", r.StatusText
Check r.ResponseText = "hello", "GET text", r.ResponseText
Check r.GetResponseHeader("Content-Length") = "5", "GET Content-Length", r.GetResponseHeader("Content-Length")
Check InStr(r.GetAllResponseHeaders(), "Content-Type: text/plain") > 0, "GET all headers", r.GetAllResponseHeaders()
Check VarType(r.ResponseBody) = vbArray + vbByte, "GET ResponseBody type", VarType(r.ResponseBody)

' Request headers and the default user agent
r.Open "GET", base & "/http/echo-headers", False
r.SetRequestHeader "X-Script", "vbscript"
r.Send
text = r.ResponseText
Check InStr(text, "X-Script: vbscript" & vbCrLf) > 0, "request header sent", text
Check InStr(text, "User-Agent: Mozilla/4.0 (compatible; Win32; WinHttp.WinHttpRequest.5)") > 0, "user agent", text
r.Option(0) = "vbs-agent/1"
r.Open "GET", base & "/http/echo-headers", False
r.Send
Check InStr(r.ResponseText, "User-Agent: vbs-agent/1" & vbCrLf) > 0, "Option(UserAgentString)", r.ResponseText
Check r.Option(0) = "vbs-agent/1", "Option(0) read back", r.Option(0)

' POST text
r.Open "POST", base & "/http/echo-body", False
r.Send "posted from vbscript"
Check r.ResponseText = "posted from vbscript", "POST text", r.ResponseText

' POST binary: the byte array of one response is the body of the next
' (Wine's VBScript has no UBound for byte arrays: lengths come from the server)
r.Open "GET", base & "/http/large/300", False
r.Send
body = r.ResponseBody
Check VarType(body) = vbArray + vbByte, "ResponseBody is a byte array", VarType(body)
r.Open "POST", base & "/http/echo-headers", False
r.Send body
Check InStr(r.ResponseText, "Content-Length: 300" & vbCrLf) > 0, "POST binary length", r.ResponseText
r.Open "POST", base & "/http/echo-body", False
r.Send body
text = r.ResponseText
Check Len(text) = 300 And Left(text, 26) = "abcdefghijklmnopqrstuvwxyz", "POST binary echo", Len(text)

' Timeouts: the server answers after 3 s, the receive timeout is 300 ms
r.SetTimeouts 0, 5000, 5000, 300
r.Open "GET", base & "/http/delay/3000", False
t0 = Timer
On Error Resume Next
r.Send
Check Err.Number = &H80072EE2, "receive timeout", Hex(Err.Number) & " " & Err.Description
Err.Clear
On Error GoTo 0
Check Timer - t0 < 2.5, "timeout is prompt", Timer - t0
r.SetTimeouts 0, 5000, 5000, 5000

' 401, then the same request with credentials
r.Open "GET", base & "/http/auth-basic/scott/tiger", False
r.Send
Check r.Status = 401, "401 without credentials", r.Status
r.Open "GET", base & "/http/auth-basic/scott/tiger", False
r.SetCredentials "scott", "tiger", 0
r.Send
Check r.Status = 200, "200 with credentials", r.Status & " " & r.ResponseText
Check r.ResponseText = "authorized scott", "authorized text", r.ResponseText

' Asynchronous Open, then WaitForResponse
r.Open "GET", base & "/http/delay/500", True
r.Send
Check r.WaitForResponse(0) = False, "WaitForResponse(0) while pending", "True"
Check r.WaitForResponse(10) = True, "WaitForResponse(10)", "False"
Check r.Status = 200 And r.ResponseText = "hello", "async response", r.Status

' Errors are exceptions with WinHTTP's HRESULT
Set r = CreateObject("WinHttp.WinHttpRequest.5.1")
On Error Resume Next
r.Send
Check Err.Number = &H80072F44, "Send before Open", Hex(Err.Number)
Err.Clear
On Error GoTo 0
WScript.Echo "done"
