// Kernel: an event broker fans each event out to its subscribers'
// buffered channels while holding b.mu. The audit stream's forwarder
// returns when its client disconnects but leaves its subscription
// registered. Publish never blocks in the send: when a subscriber's buffer
// is full it drops the event for that subscriber and counts it, so b.mu is
// always released and the dashboard and a new client get the lock.
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var errDisconnected = errors.New("client disconnected")

type Event struct {
	Seq   int
	Topic string
}

type Subscription struct {
	name    string
	ch      chan Event
	dropped int // guarded by the broker's mu
}

type Broker struct {
	mu   sync.Mutex
	subs []*Subscription

	// onPublish is an observability hook, called by Publish under b.mu.
	onPublish func(seq int)
}

func (b *Broker) Subscribe(name string, buffer int) *Subscription {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &Subscription{name: name, ch: make(chan Event, buffer)}
	b.subs = append(b.subs, s)
	return s
}

func (b *Broker) Unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.subs {
		if x == s {
			b.subs = append(b.subs[:i], b.subs[i+1:]...)
			return
		}
	}
}

func (b *Broker) Publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.onPublish != nil {
		b.onPublish(ev.Seq)
	}
	for _, s := range b.subs {
		select {
		case s.ch <- ev:
		default:
			s.dropped++
		}
	}
}

// streamConn is a client's stream; Send fails once the client has gone.
type streamConn struct {
	client string
	left   int // sends before the client disconnects
}

func (c *streamConn) Send(ev Event) error {
	if c.left == 0 {
		return fmt.Errorf("send to %s: %w", c.client, errDisconnected)
	}
	c.left--
	return nil
}

// forward streams a subscription to a client until the client goes away.
func forward(s *Subscription, conn *streamConn) {
	for ev := range s.ch {
		if err := conn.Send(ev); err != nil {
			log.Printf("%s stream: %v", s.name, err)
			return
		}
	}
}

func main() {
	log.SetFlags(0)
	// The audit client takes one event and disconnects on the second; its
	// buffer then fills with four more, so the seventh publish is the
	// first that finds it full.
	const auditBuffer, stuckAt, events = 4, 7, 8
	stuck := make(chan struct{})
	b := &Broker{}
	b.onPublish = func(seq int) {
		if seq == stuckAt {
			close(stuck)
		}
	}

	audit := b.Subscribe("audit", auditBuffer)
	go forward(audit, &streamConn{client: "audit-exporter", left: 1})

	dashboard := b.Subscribe("dashboard", 64)
	dashboardQuit := make(chan struct{})
	go func() {
		for {
			select {
			case ev := <-dashboard.ch:
				log.Printf("dashboard: event %d %s", ev.Seq, ev.Topic)
			case <-dashboardQuit:
				b.Unsubscribe(dashboard)
				return
			}
		}
	}()

	// The order service publishes its events.
	go func() {
		for seq := 1; seq <= events; seq++ {
			b.Publish(Event{Seq: seq, Topic: "order.updated"})
		}
	}()

	// While the seventh event is published, the dashboard closes and a new
	// client subscribes.
	<-stuck
	close(dashboardQuit)
	go func() {
		b.Subscribe("alerts", 8)
		log.Printf("alerts subscribed")
	}()

	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
