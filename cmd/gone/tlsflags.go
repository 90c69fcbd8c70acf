package main

import (
	"crypto/tls"
	"flag"
	"fmt"
)

// tlsFlags are --tls-cert and --tls-key, which serve and proxy share.
type tlsFlags struct {
	cert, key *string
}

func addTLSFlags(fs *flag.FlagSet, e env) tlsFlags {
	return tlsFlags{
		cert: envString(fs, e, "tls-cert", "GONE_TLS_CERT", "", "serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate chain; needs --tls-key"),
		key:  envString(fs, e, "tls-key", "GONE_TLS_KEY", "", "the PEM private key of --tls-cert"),
	}
}

// config loads the certificate, or returns nil when TLS is off. It runs
// before the port is opened, so a wrong path stops the start cleanly.
func (f tlsFlags) config() (*tls.Config, error) {
	switch {
	case *f.cert == "" && *f.key == "":
		return nil, nil
	case *f.cert == "" || *f.key == "":
		return nil, usageError("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(*f.cert, *f.key)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", *f.cert, *f.key, err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}, nil
}
