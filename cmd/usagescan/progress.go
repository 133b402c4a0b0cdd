package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/usagescan/usagescan/scan"
)

// progressDelay is how long a scan runs before progress is shown.
const progressDelay = 700 * time.Millisecond

// startProgress shows files and bytes done on w while a scan runs, when w is a
// terminal and the scan takes long. The returned stop clears the line.
func startProgress(w io.Writer, p *scan.Progress) (stop func()) {
	if !isTerminal(w) {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		timer := time.NewTimer(progressDelay)
		defer timer.Stop()
		select {
		case <-done:
			return
		case <-timer.C:
		}
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			fmt.Fprintf(w, "\r\033[Kscanning: %s/%s files, %s of %s",
				humanize.Comma(p.FilesDone.Load()), humanize.Comma(p.FilesTotal.Load()),
				humanize.Bytes(uint64(p.BytesDone.Load())), humanize.Bytes(uint64(p.BytesTotal.Load())))
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
