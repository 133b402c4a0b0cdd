package store

// WithFailAfter sets the test hook that makes a Tx fail after n request
// writes (for the engine's tests of a failed ingest, in package store_test).
func WithFailAfter(o Options, n int) Options {
	o.failAfter = n
	return o
}

// ErrInjected is the error of that hook.
var ErrInjected = errInjected
