// Kernel: an API server waits for its first config before it starts
// serving; the config loader hands configs over with a non-blocking send
// on the server's configs channel. main builds the server with NewServer,
// which makes the channel, so the first reload is delivered and the
// server's start goroutine picks it up and goes on.
package main

import (
	"log"
	"os"
	"runtime/pprof"
	"time"
)

type Config struct {
	Addr     string
	MaxConns int
}

type Server struct {
	name    string
	configs chan Config // holds the next config to apply; made by NewServer
}

func NewServer(name string) *Server {
	return &Server{name: name, configs: make(chan Config, 1)}
}

// Reload offers a new config without ever blocking the loader; it is
// dropped when the server has not picked up the previous one yet.
func (s *Server) Reload(c Config) bool {
	select {
	case s.configs <- c:
		return true
	default:
		log.Printf("%s: config reload dropped", s.name)
		return false
	}
}

// Start waits for the first config, then serves with it.
func (s *Server) Start() {
	cfg := <-s.configs
	log.Printf("%s: serving on %s (max %d conns)", s.name, cfg.Addr, cfg.MaxConns)
}

func main() {
	log.SetFlags(0)
	srv := NewServer("api")

	go srv.Start()

	// The config loader reads the file and hands the config over.
	srv.Reload(Config{Addr: ":8443", MaxConns: 512})

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
