// The sink URI as pgwatch's gRPC sink reads it (DESIGN.md §2):
// grpc://USER:PASSWORD@HOST:PORT/?sslrootca=/path/ca.pem. TLS only when sslrootca is given;
// missing user info means empty username and password, which are still sent.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io/ioutil"
	"net/url"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

type sinkURI struct {
	address  string // HOST:PORT, the dial target
	username string
	password string
	caFile   string // empty: plaintext
}

func parseSinkURI(raw string) (sinkURI, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return sinkURI{}, fmt.Errorf("cannot parse the sink URI: %v", err)
	}
	if u.Scheme != "grpc" {
		return sinkURI{}, fmt.Errorf("the sink URI must start with grpc://, not %q", u.Scheme+"://")
	}
	params, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return sinkURI{}, fmt.Errorf("cannot parse the sink URI's parameters: %v", err)
	}
	s := sinkURI{address: u.Host, caFile: params.Get("sslrootca")}
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}
	return s, nil
}

// transportOption returns TLS trusting only the CA file, with the server name taken from the
// dial target's host (grpc-go's default when tls.Config.ServerName is empty), or plaintext.
func (s sinkURI) transportOption() (grpc.DialOption, error) {
	if s.caFile == "" {
		return grpc.WithInsecure(), nil
	}
	pem, err := ioutil.ReadFile(s.caFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read the CA file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in the CA file %s", s.caFile)
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool})), nil
}
