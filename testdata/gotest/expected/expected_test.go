// Package expected: its test leaves behind only goroutines the verdict
// engine knows as expected (a client's idle HTTP keep-alive connection),
// reported at info and failing the run only with --fail-on info. The
// server starts in init(), before any test, so its goroutines are not the
// test's (on Go 1.21+, where the creator chain shows it).
package expected

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

var srv *httptest.Server

func init() {
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
}

func TestKeepAliveLeftIdle(t *testing.T) {
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// No CloseIdleConnections: the Transport keeps the connection.
}
