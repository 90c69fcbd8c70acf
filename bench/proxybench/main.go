// Command proxybench is the helper of bench/proxy.sh: it writes one rule
// list as both a gone CSV and an nginx config, and runs the reference
// servers the proxy is measured against.
//
//	proxybench rules DIR N PORT   DIR/rules.csv and DIR/nginx.conf, N rules (a tenth prefixes)
//	proxybench upstream ADDR      a fixed 200 answer: the upstream
//	proxybench fixed ADDR         a bare net/http handler with a fixed 410 body
//	proxybench bare ADDR URL      a bare httputil.ReverseProxy to URL
package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: proxybench rules DIR N PORT | upstream ADDR | fixed ADDR | bare ADDR URL")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "rules":
		n, _ := strconv.Atoi(os.Args[3])
		err = writeRules(os.Args[2], n, os.Args[4])
	case "upstream":
		body := []byte("hello from the upstream\n")
		err = http.ListenAndServe(os.Args[2], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write(body)
		}))
	case "fixed":
		body := []byte(`{"type":"/problems/gone","title":"Gone","status":410}` + "\n")
		err = http.ListenAndServe(os.Args[2], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Cache-Control", "max-age=86400")
			w.WriteHeader(http.StatusGone)
			w.Write(body)
		}))
	case "bare":
		u, perr := url.Parse(os.Args[3])
		if perr != nil {
			err = perr
			break
		}
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 1024
		rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u); pr.SetXForwarded() }, Transport: t}
		err = http.ListenAndServe(os.Args[2], rp)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// writeRules writes n rules: exact /old/page-I for nine in ten, prefix
// /old-section-I/ for the rest, as a gone CSV and as nginx's map $uri and
// location ^~ blocks, so both serve the same list.
func writeRules(dir string, n int, port string) error {
	csvF, err := os.Create(filepath.Join(dir, "rules.csv"))
	if err != nil {
		return err
	}
	defer csvF.Close()
	ngF, err := os.Create(filepath.Join(dir, "nginx.conf"))
	if err != nil {
		return err
	}
	defer ngF.Close()
	c, g := bufio.NewWriter(csvF), bufio.NewWriter(ngF)
	fmt.Fprintln(c, "path,status,reason,alternative,at")
	fmt.Fprintf(g, `worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log %[1]s/nginx-access.log;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  map_hash_max_size 65536;
  map_hash_bucket_size 128;
  map $uri $gone {
    default 0;
`, dir)
	var prefixes []string
	for i := range n {
		if i%10 == 9 {
			p := fmt.Sprintf("/old-section-%d/", i)
			prefixes = append(prefixes, p)
			fmt.Fprintf(c, "%s*,410,,,\n", p)
			continue
		}
		p := fmt.Sprintf("/old/page-%d", i)
		fmt.Fprintf(c, "%s,410,,,\n", p)
		fmt.Fprintf(g, "    %s 410;\n", p)
	}
	fmt.Fprintf(g, "  }\n  server {\n    listen 127.0.0.1:%s;\n    if ($gone) { return 410; }\n", port)
	for _, p := range prefixes {
		fmt.Fprintf(g, "    location ^~ %s { return 410; }\n", p)
	}
	fmt.Fprintf(g, "    location / { return 200 \"hello\\n\"; }\n  }\n}\n")
	if err := c.Flush(); err != nil {
		return err
	}
	return g.Flush()
}
