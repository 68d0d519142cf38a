// WinHttp.WinHttpRequest.5.1 from JScript, run by Wine's cscript.exe
// (tools/test-cscript.sh).  Argument: the test server's base URL.
// Prints "ok - WHAT" or "not ok - WHAT: DETAIL" per check, "done" at the end.
var base = WScript.Arguments(0);

function check(cond, what, detail)
{
    WScript.Echo((cond ? "ok - " : "not ok - ") + what + (cond ? "" : ": " + detail));
}

// HRESULTs as JScript sees them in e.number (signed 32-bit).
function hresult(code) { return code | 0; }

var r = new ActiveXObject("WinHttp.WinHttpRequest.5.1");

// GET
r.Open("GET", base + "/http/hello", false);
r.Send();
check(r.Status == 200, "GET status", r.Status);
check(r.ResponseText == "hello", "GET text", r.ResponseText);
check(r.GetResponseHeader("Content-Length") == "5", "GET Content-Length", r.GetResponseHeader("Content-Length"));

// Request headers
r.Open("GET", base + "/http/echo-headers", false);
r.SetRequestHeader("X-Script", "jscript");
r.Send();
check(r.ResponseText.indexOf("X-Script: jscript\r\n") >= 0, "request header sent", r.ResponseText);

// POST text, with characters beyond ASCII (sent as UTF-8)
r.Open("POST", base + "/http/typed/text%2Fplain%3B%20charset%3Dutf-8", false);
r.Send("caf\u00e9 \u20ac");
check(r.ResponseText == "caf\u00e9 \u20ac", "POST text round trip", r.ResponseText);
r.Open("POST", base + "/http/echo-headers", false);
r.Send("caf\u00e9");
check(r.ResponseText.indexOf("Content-Length: 5\r\n") >= 0, "UTF-8 body length", r.ResponseText);
check(r.ResponseText.indexOf("charset=UTF-8") >= 0, "charset announced", r.ResponseText);

// Binary bodies: the byte array of ResponseBody and the IStream of
// ResponseStream go back as request bodies.  (Wine's JScript cannot take
// typeof of either: they are only passed along here.)
r.Open("GET", base + "/http/large/1000", false);
r.Send();
var bytes = r.ResponseBody;
r.Open("PUT", base + "/http/echo-body", false);
r.Send(bytes);
check(r.ResponseText.length == 1000 && r.ResponseText.substr(0, 3) == "abc", "PUT byte array echo", r.ResponseText.length);
r.Open("GET", base + "/http/large/700", false);
r.Send();
var stream = r.ResponseStream;
r.Open("POST", base + "/http/echo-headers", false);
r.Send(stream);
check(r.ResponseText.indexOf("Content-Length: 700\r\n") >= 0, "POST IStream length", r.ResponseText);

// Timeouts
r.SetTimeouts(0, 5000, 5000, 300);
r.Open("GET", base + "/http/delay/3000", false);
var t0 = new Date().getTime(), code = 0;
try { r.Send(); } catch (e) { code = e.number; }
check(code == hresult(0x80072EE2), "receive timeout", code);
check(new Date().getTime() - t0 < 2500, "timeout is prompt", new Date().getTime() - t0);
r.SetTimeouts(0, 5000, 5000, 5000);

// 401, then credentials
r.Open("GET", base + "/http/auth-basic/js%20user/s3cret", false);
r.Send();
check(r.Status == 401, "401 without credentials", r.Status);
r.Open("GET", base + "/http/auth-basic/js%20user/s3cret", false);
r.SetCredentials("js user", "s3cret", 0);
r.Send();
check(r.Status == 200 && r.ResponseText == "authorized js user", "200 with credentials", r.Status + " " + r.ResponseText);

// Asynchronous
r.Open("GET", base + "/http/delay/500", true);
r.Send();
check(r.WaitForResponse(0) == false, "WaitForResponse(0) while pending", "true");
check(r.WaitForResponse(10) == true, "WaitForResponse(10)", "false");
check(r.Status == 200 && r.ResponseText == "hello", "async response", r.Status);

// Abort of a pending asynchronous request
r.Open("GET", base + "/http/delay/5000", true);
r.Send();
t0 = new Date().getTime();
r.Abort();
check(new Date().getTime() - t0 < 2500, "Abort is prompt", new Date().getTime() - t0);
code = 0;
try { r.Status; } catch (e) { code = e.number; }
check(code == hresult(0x80072F45), "no status after Abort", code);

WScript.Echo("done");
