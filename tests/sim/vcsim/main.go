// Command vcsim runs govmomi's vCenter simulator for the integration suites.
//
// Build (GOPATH mode, Debian's golang-github-vmware-govmomi-dev; no network):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$PWD/build/gocache \
//	    go build -o build/vcsim ./tests/sim/vcsim
//
// Run (tests/sim/run.sh does this for every integration suite):
//
//	VCSIM_PASSWORD='s3cret' build/vcsim -listen 127.0.0.1:0 \
//	    -cert server.pem -key server.key -user admin \
//	    -portgroups BOSH-V4,BOSH-V6 -pidfile vcsim.pid
//
// Once the server listens it prints exactly one line on stdout,
// "VCSIM_URL=https://127.0.0.1:PORT/sdk" (http without -cert/-key), and
// serves until SIGTERM or SIGINT (caught from before that line is printed,
// so a signal sent as soon as it is read still ends in exit 0); it then
// closes the server and removes the datastore directories the model created
// under $TMPDIR.
//
// With -dump-requests DIR every SOAP request body POSTed to /sdk is also
// written to DIR/NNNNN-<Method>.request (numbered in arrival order), with
// the text of password and sessionID elements and guestinfo.userdata
// values replaced by REDACTED, for tests/schemacheck to check afterwards.
//
// With -pods 'SP=LocalDS_1+LocalDS_2,OFF:off=LocalDS_3' it makes those
// datastore clusters (Storage DRS on, or off with :off) and serves the
// members' datastore files by their plain names as a real vCenter does
// (pods.go).
//
// Besides /sdk it serves govmomi's vAPI simulator under /rest
// (/rest/com/vmware/cis/session, tagging categories, tags and
// associations), which accepts any non-empty user name and password.
//
// Credentials: with -user, only that user and its password are accepted.
// The password comes from -password or, when that flag is empty, from the
// environment variable VCSIM_PASSWORD, so it need not appear in a process
// listing.  Without -user the simulator's default applies: any non-empty
// user name and password.  Neither is ever printed.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	// the PBM (storage policy) simulator, registered as an endpoint of
	// the VPX model at /pbm (and at /pbm/sdk by init below); its
	// profiles are pbm/simulator's defaults ("vSAN Default Storage
	// Policy", ...)
	pbmsim "github.com/vmware/govmomi/pbm/simulator"
	"github.com/vmware/govmomi/simulator"
	// the vAPI REST simulator (/rest/com/vmware/cis/...: sessions,
	// tagging), registered as an endpoint of the VPX model
	_ "github.com/vmware/govmomi/vapi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vCenter serves PBM at /pbm/sdk too, the path the Ruby CPI (and this
// one) posts to; govmomi's simulator registers only /pbm.  A second
// registry of the same simulator (its profiles are package state) serves
// /pbm/sdk.
func init() {
	simulator.RegisterEndpoint(func(s *simulator.Service, r *simulator.Registry) {
		if r.IsVPX() {
			sdk := pbmsim.New()
			sdk.Path = "/pbm/sdk"
			s.RegisterSDK(sdk)
		}
	})
}

type options struct {
	listen      string
	cert        string
	key         string
	user        string
	password    string
	portgroups  string
	vswitch     string
	pidfile     string
	dumpDir     string
	watchParent bool
	pods        string

	dc         int
	cluster    int
	clusterHst int
	standalone int
	pool       int
	datastore  int
	dvpg       int
	opaque     int
	vms        int
	autostart  bool
}

func parseFlags() *options {
	def := simulator.VPX()
	o := &options{}
	fs := flag.CommandLine
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0",
		"address to listen on, e.g. 127.0.0.1:0 or [::1]:0")
	fs.StringVar(&o.cert, "cert", "",
		"PEM server certificate (with -key: serve https)")
	fs.StringVar(&o.key, "key", "", "PEM private key of -cert")
	fs.StringVar(&o.user, "user", "",
		"the only user name accepted (default: any non-empty)")
	fs.StringVar(&o.password, "password", "",
		"password of -user (default: $VCSIM_PASSWORD)")
	fs.StringVar(&o.portgroups, "portgroups", "",
		"comma-separated standard port groups to add on every host")
	fs.StringVar(&o.vswitch, "vswitch", "vSwitch0",
		"virtual switch that receives the -portgroups")
	fs.StringVar(&o.pidfile, "pidfile", "", "write the process id here")
	fs.StringVar(&o.dumpDir, "dump-requests", "",
		"write every SOAP request body into this directory")
	fs.StringVar(&o.pods, "pods", "",
		"datastore clusters to make: NAME[:off]=DS[+DS],... (pods.go)")
	fs.BoolVar(&o.watchParent, "watch-parent", false,
		"exit (cleaning up) when the parent process goes away")
	fs.IntVar(&o.dc, "dc", def.Datacenter, "datacenters")
	fs.IntVar(&o.cluster, "cluster", def.Cluster,
		"clusters per datacenter")
	fs.IntVar(&o.clusterHst, "host", def.ClusterHost,
		"hosts per cluster")
	fs.IntVar(&o.standalone, "standalone-host", def.Host,
		"standalone hosts per datacenter")
	fs.IntVar(&o.pool, "pool", def.Pool,
		"child resource pools per cluster")
	fs.IntVar(&o.datastore, "ds", def.Datastore,
		"datastores (LocalDS_0, LocalDS_1, ...) mounted on every host")
	fs.IntVar(&o.dvpg, "dvpg", def.Portgroup,
		"distributed port groups per datacenter (DC0_DVPG0, ...)")
	fs.IntVar(&o.opaque, "opaque", def.OpaqueNetwork,
		"NSX-T opaque networks per datacenter (DC0_NSX0, ...)")
	fs.IntVar(&o.vms, "vms", def.Machine,
		"virtual machines per host / resource pool")
	fs.BoolVar(&o.autostart, "autostart", def.Autostart,
		"power on the model's virtual machines")
	flag.Parse()
	if flag.NArg() != 0 {
		fail("unexpected argument %q", flag.Arg(0))
	}
	if (o.cert == "") != (o.key == "") {
		fail("-cert and -key go together")
	}
	if o.user != "" && o.password == "" {
		o.password = os.Getenv("VCSIM_PASSWORD")
		if o.password == "" {
			fail("-user needs -password or VCSIM_PASSWORD")
		}
	}
	if o.user == "" && o.password != "" {
		fail("-password needs -user")
	}
	for _, n := range []int{o.dc, o.cluster, o.clusterHst, o.standalone,
		o.pool, o.datastore, o.dvpg, o.opaque, o.vms} {
		if n < 0 || n > 1000 {
			fail("inventory counts must be between 0 and 1000")
		}
	}
	return o
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vcsim: "+format+"\n", args...)
	os.Exit(2)
}

// addPortGroups adds each named standard port group to the virtual switch
// of every host.  Hosts share the datacenter's network folder, so all but
// the first host answer DuplicateName: the port group still lands in that
// host's network configuration, which is all we need.
func addPortGroups(ctx context.Context, u *url.URL, vswitch string,
	names []string) error {
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return fmt.Errorf("connect: %v", err)
	}
	defer func() { _ = c.Logout(ctx) }()

	f := find.NewFinder(c.Client, false)
	dcs, err := f.DatacenterList(ctx, "*")
	if err != nil {
		return fmt.Errorf("datacenters: %v", err)
	}
	for _, dc := range dcs {
		f.SetDatacenter(dc)
		hosts, err := f.HostSystemList(ctx, "*")
		if err != nil {
			return fmt.Errorf("hosts of %s: %v", dc.Name(), err)
		}
		for _, h := range hosts {
			ns, err := h.ConfigManager().NetworkSystem(ctx)
			if err != nil {
				return fmt.Errorf("network system of %s: %v",
					h.Name(), err)
			}
			for _, name := range names {
				spec := types.HostPortGroupSpec{
					Name:        name,
					VswitchName: vswitch,
					Policy:      types.HostNetworkPolicy{},
				}
				err = ns.AddPortGroup(ctx, spec)
				if err != nil && !isDuplicateName(err) {
					return fmt.Errorf("add %s on %s: %v",
						name, h.Name(), err)
				}
			}
		}
	}
	return nil
}

func isDuplicateName(err error) bool {
	if !soap.IsSoapFault(err) {
		return false
	}
	_, ok := soap.ToSoapFault(err).VimFault().(types.DuplicateName)
	return ok
}

func splitList(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if len(p) > 80 {
			return nil, errors.New("port group name too long")
		}
		out = append(out, p)
	}
	return out, nil
}

// requestDumper writes each SOAP request body to a numbered file before
// handing the request on to the simulator.
type requestDumper struct {
	dir  string
	seq  int64
	next http.Handler
}

const maxDumpBody = 64 << 20

var (
	// <password>, <vim25:password>, <sessionID ...> and so on, up to the
	// matching end tag (CDATA included); an empty <password/> has no
	// text to hide and is left alone.
	secretElem = regexp.MustCompile(
		`(?s)(<(?:[A-Za-z_][\w.-]*:)?(password|sessionID)` +
			`(?:\s[^>]*[^/>])?>)` +
			`.*?(</(?:[A-Za-z_][\w.-]*:)?(?:password|sessionID)\s*>)`)
	// An OptionValue whose key is guestinfo.userdata[.x]: its value.
	userdataValue = regexp.MustCompile(
		`(<(?:[A-Za-z_][\w.-]*:)?key>guestinfo\.userdata([\w.-]*)` +
			`</(?:[A-Za-z_][\w.-]*:)?key>\s*` +
			`<(?:[A-Za-z_][\w.-]*:)?value\b[^>]*>)[^<]*` +
			`(</(?:[A-Za-z_][\w.-]*:)?value>)`)
	unsafeName = regexp.MustCompile(`[^A-Za-z0-9_]`)
)

func redact(body []byte) []byte {
	body = secretElem.ReplaceAll(body, []byte("${1}REDACTED${3}"))
	return userdataValue.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := userdataValue.FindSubmatch(m)
		if string(sub[2]) == ".encoding" {
			return m
		}
		out := append([]byte{}, sub[1]...)
		out = append(out, "REDACTED"...)
		return append(out, sub[3]...)
	})
}

// soapMethod names the first element inside the SOAP Body, or "unknown".
func soapMethod(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := d.Token()
		if err != nil {
			return "unknown"
		}
		if t, ok := tok.(xml.StartElement); ok {
			if inBody {
				name := unsafeName.ReplaceAllString(t.Name.Local, "_")
				if name == "" || len(name) > 80 {
					return "unknown"
				}
				return name
			}
			inBody = t.Name.Local == "Body"
		}
	}
}

// taskSerializer runs the simulator's *_Task methods one at a time.  The
// simulator clones a VM by sharing the source's device objects with the
// clone (see shared/reference/vcsim.md §3), so concurrent clones of one
// stemcell, or reconfigures of its clones, race on those objects inside
// the simulator (panics in configureDevice, FileAlreadyExists).  A real
// vCenter has no such race; serializing here keeps the CPI processes
// concurrent while the simulator stays consistent.  Reads stay parallel.
type taskSerializer struct {
	mu   sync.Mutex
	next http.Handler
}

func (t *taskSerializer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/sdk") {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxDumpBody))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if strings.HasSuffix(soapMethod(body), "_Task") {
			t.mu.Lock()
			defer t.mu.Unlock()
		}
	}
	t.next.ServeHTTP(w, r)
}

func (d *requestDumper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/sdk") {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxDumpBody))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		n := atomic.AddInt64(&d.seq, 1)
		name := fmt.Sprintf("%05d-%s.request", n, soapMethod(body))
		err = os.WriteFile(filepath.Join(d.dir, name), redact(body),
			0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: dump: %v\n", err)
		}
	}
	d.next.ServeHTTP(w, r)
}

func writePidfile(path string) error {
	tmp := path + ".tmp"
	data := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func run(o *options) int {
	pgs, err := splitList(o.portgroups)
	if err != nil {
		fail("-portgroups: %v", err)
	}
	pods, err := parsePods(o.pods)
	if err != nil {
		fail("-pods: %v", err)
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		fail("-listen: %v", err)
	}

	model := simulator.VPX()
	model.Datacenter = o.dc
	model.Cluster = o.cluster
	model.ClusterHost = o.clusterHst
	model.Host = o.standalone
	model.Pool = o.pool
	model.Datastore = o.datastore
	model.Portgroup = o.dvpg
	model.OpaqueNetwork = o.opaque
	model.Machine = o.vms
	model.Autostart = o.autostart

	// From here on every exit path must remove the model's directories.
	if err := model.Create(); err != nil {
		model.Remove()
		fmt.Fprintf(os.Stderr, "vcsim: create model: %v\n", err)
		return 1
	}
	defer model.Remove()

	listen := &url.URL{Host: o.listen}
	if o.user != "" {
		listen.User = url.UserPassword(o.user, o.password)
	}
	model.Service.Listen = listen
	// serves the endpoints registered by imports: the vAPI and PBM
	// simulators
	model.Service.RegisterEndpoints = true
	if o.cert != "" {
		pair, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: load certificate: %v\n", err)
			return 1
		}
		model.Service.TLS = &tls.Config{
			Certificates: []tls.Certificate{pair},
			MinVersion:   tls.VersionTLS12,
		}
	}

	// NewServer panics when the address cannot be bound; report that as
	// a plain error instead of a Go stack trace.
	var srv *simulator.Server
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		srv = model.Service.NewServer()
	}()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vcsim: start server: %v\n", err)
		return 1
	}
	defer srv.Close()

	if len(pgs) > 0 {
		// srv.URL carries the credentials; it is used in-process only.
		ctx, cancel := context.WithTimeout(context.Background(),
			30*time.Second)
		err = addPortGroups(ctx, srv.URL, o.vswitch, pgs)
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: port groups: %v\n", err)
			return 1
		}
	}

	if len(pods) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(),
			30*time.Second)
		members, err := makePods(ctx, srv.URL, pods)
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: pods: %v\n", err)
			return 1
		}
		srv.Config.Handler = &podRewriter{members: members,
			next: srv.Config.Handler}
	}

	srv.Config.Handler = &taskSerializer{next: srv.Config.Handler}
	if o.dumpDir != "" {
		if err := os.MkdirAll(o.dumpDir, 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: -dump-requests: %v\n", err)
			return 1
		}
		// Nobody knows the port yet, so no request is in flight
		// while the handler is swapped.
		srv.Config.Handler = &requestDumper{dir: o.dumpDir,
			next: srv.Config.Handler}
	}

	if o.pidfile != "" {
		if err := writePidfile(o.pidfile); err != nil {
			fmt.Fprintf(os.Stderr, "vcsim: pid file: %v\n", err)
			return 1
		}
		defer os.Remove(o.pidfile)
	}

	// Whoever reads the URL line may stop the simulator at once: the
	// handler must be in place before the line is printed, or an early
	// SIGTERM kills the process (no clean exit, no model.Remove).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)

	// Never print srv.URL itself: it holds the user and password.
	public := url.URL{Scheme: srv.URL.Scheme, Host: srv.URL.Host,
		Path: srv.URL.Path}
	fmt.Printf("VCSIM_URL=%s\n", public.String())
	_ = os.Stdout.Sync()

	ppid := os.Getppid()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case s := <-sig:
			fmt.Fprintf(os.Stderr, "vcsim: %v, shutting down\n", s)
			return 0
		case <-tick.C:
			if o.watchParent && os.Getppid() != ppid {
				fmt.Fprintln(os.Stderr,
					"vcsim: parent exited, shutting down")
				return 0
			}
		}
	}
}

func main() {
	os.Exit(run(parseFlags()))
}
