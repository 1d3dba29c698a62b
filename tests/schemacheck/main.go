// Command schemacheck checks that SOAP request bodies follow the vim25
// schema: within every element, child elements must appear in the order of
// the XML schema's sequence, and only elements the schema defines may
// appear.  vCenter rejects or silently misreads out-of-order elements, while
// the simulator (a Go decoder) accepts any order, so this checker is what
// catches ordering bugs before a real vCenter does.
//
// usage: schemacheck [-v] FILE_OR_DIR...
//
// Directories are walked for *.request files (fixture exchanges) and *.xml
// files other than *.response.xml; files named explicitly are always read.
// A file is skipped (not an error) when it is empty, a fixture placeholder
// such as "<upload: 12 bytes>", a SOAP response or fault, or a NNN-op.request
// whose NNN-op.meta has no soap_action line (an upload or download).  Any
// other file must hold a well-formed SOAP envelope with one request.  Exit
// status: 0 when every checked body is valid, 1 when any violation was
// found, 2 on usage or I/O errors.
//
// The schema comes from govmomi's vim25/types (Debian's
// golang-github-vmware-govmomi-dev): the generated Go structs list every
// type's elements in schema order, embedded base types first.  The body's
// element (e.g. CloneVM_Task) names the request type through
// types.TypeFunc(); each field's Go type gives the child's type, and an
// xsi:type attribute overrides it.  Checked for every element:
//   - children are known elements of the type, in non-decreasing schema
//     order, and only list-typed elements repeat;
//   - required elements (neither omitempty nor a pointer in govmomi) and
//     required attributes (the type of a ManagedObjectReference) are
//     present;
//   - xsi:type names a known type that fits the declared one;
//   - children live in the request's namespace; simple values have no child
//     elements, and booleans and numbers parse.
//
// Build (GOPATH mode): sh tests/sim/gobuild.sh BUILD ./tests/schemacheck
// BUILD/schemacheck, or let tests/schemacheck/run.sh do it.
//
// Requests to the storage policy endpoint (/pbm/sdk, namespace urn:pbm:
// PbmQueryProfile, PbmCheckRequirements, ...) are checked the same way
// against govmomi's pbm/types, which register as "pbm:<Name>"; their
// children and xsi:types live in urn:pbm (vim25 types such as
// ManagedObjectReference embedded there too).  The soapenv:Header
// (PBM's vcSessionCookie) is not checked.
package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	// the PBM types register themselves as "pbm:<Name>"
	_ "github.com/vmware/govmomi/pbm/types"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	nsSOAP  = "http://schemas.xmlsoap.org/soap/envelope/"
	nsXSI   = "http://www.w3.org/2001/XMLSchema-instance"
	nsXSD   = "http://www.w3.org/2001/XMLSchema"
	nsVim25 = "urn:vim25"
	nsPbm   = "urn:pbm"

	maxFileSize = 64 << 20
	maxDepth    = 256
)

var typeFunc = types.TypeFunc()

// lookupType finds a type of namespace space: PBM's are registered as
// "pbm:<Name>" and embed vim25 types (ManagedObjectReference, ...).
func lookupType(space, local string) (reflect.Type, bool) {
	if space == nsPbm {
		if t, ok := typeFunc("pbm:" + local); ok {
			return t, true
		}
	}
	return typeFunc(local)
}

// ---------------------------------------------------------------------------
// Parsed document

type node struct {
	space, local string
	line         int
	attrs        []xml.Attr
	xsiType      *xml.Name // resolved value of xsi:type, if any
	children     []*node
	text         strings.Builder
}

func (n *node) hasText() bool {
	return strings.TrimSpace(n.text.String()) != ""
}

type parseError struct {
	line int
	msg  string
}

func (e *parseError) Error() string { return e.msg }

// parse builds the element tree, resolving xsi:type prefixes against the
// namespace declarations in scope.
func parse(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var (
		stack  []*node
		scopes []map[string]string
		root   *node
	)
	lookup := func(prefix string) (string, bool) {
		for i := len(scopes) - 1; i >= 0; i-- {
			if uri, ok := scopes[i][prefix]; ok {
				return uri, true
			}
		}
		return "", false
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			return nil, &parseError{line, err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := d.InputPos()
			if len(stack) >= maxDepth {
				return nil, &parseError{line, "nesting too deep"}
			}
			scope := map[string]string{}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					scope[a.Name.Local] = a.Value
				} else if a.Name.Space == "" && a.Name.Local == "xmlns" {
					scope[""] = a.Value
				}
			}
			scopes = append(scopes, scope)
			n := &node{space: t.Name.Space, local: t.Name.Local,
				line: line, attrs: t.Attr}
			for _, a := range t.Attr {
				if a.Name.Space != nsXSI || a.Name.Local != "type" {
					continue
				}
				prefix, local := "", a.Value
				if i := strings.IndexByte(a.Value, ':'); i >= 0 {
					prefix, local = a.Value[:i], a.Value[i+1:]
				}
				uri, ok := lookup(prefix)
				if !ok && prefix != "" {
					return nil, &parseError{line, fmt.Sprintf(
						"xsi:type %q uses an undeclared prefix",
						a.Value)}
				}
				n.xsiType = &xml.Name{Space: uri, Local: local}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			scopes = scopes[:len(scopes)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, &parseError{0, "no root element"}
	}
	return root, nil
}

// ---------------------------------------------------------------------------
// Schema model, derived from govmomi's generated types

type field struct {
	name     string
	typ      reflect.Type // element type: pointers and lists unwrapped
	list     bool
	required bool
}

type structInfo struct {
	name     string
	fields   []field
	index    map[string]int
	attrs    []string // required attributes
	chardata bool
}

var (
	infoCache   = map[reflect.Type]*structInfo{}
	timeType    = reflect.TypeOf(time.Time{})
	anyType     = reflect.TypeOf((*types.AnyType)(nil)).Elem()
	morefType   = reflect.TypeOf(types.ManagedObjectReference{})
	errNotFound = errors.New("not found")
)

func tagParts(f reflect.StructField) (name string, opts []string, ok bool) {
	tag, has := f.Tag.Lookup("xml")
	if !has {
		return "", nil, false
	}
	parts := strings.Split(tag, ",")
	name = parts[0]
	if i := strings.LastIndexByte(name, ' '); i >= 0 {
		name = name[i+1:]
	}
	return name, parts[1:], true
}

func hasOpt(opts []string, want string) bool {
	for _, o := range opts {
		if o == want {
			return true
		}
	}
	return false
}

// describe flattens t's fields in schema order: an embedded base type's
// fields come where it is embedded (first, in govmomi's structs).
func describe(t reflect.Type) *structInfo {
	if si, ok := infoCache[t]; ok {
		return si
	}
	si := &structInfo{name: t.Name(), index: map[string]int{}}
	infoCache[t] = si
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, tagged := tagParts(f)
			if f.Name == "XMLName" || name == "-" {
				continue
			}
			if f.Anonymous && !tagged && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if hasOpt(opts, "chardata") {
				si.chardata = true
				continue
			}
			if hasOpt(opts, "attr") {
				if !hasOpt(opts, "omitempty") {
					si.attrs = append(si.attrs, name)
				}
				continue
			}
			if hasOpt(opts, "innerxml") || hasOpt(opts, "any") ||
				hasOpt(opts, "comment") {
				continue
			}
			if name == "" {
				name = f.Name
			}
			// govmomi marks optional elements with omitempty,
			// except optional simple values, which it makes
			// pointers (*bool, *int32, *time.Time) instead.
			ft, list := f.Type, false
			required := !hasOpt(opts, "omitempty")
			if ft.Kind() == reflect.Ptr {
				ft, required = ft.Elem(), false
			}
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() != reflect.Uint8 {
				ft, list = ft.Elem(), true
				if ft.Kind() == reflect.Ptr {
					ft = ft.Elem()
				}
			}
			si.index[name] = len(si.fields)
			si.fields = append(si.fields, field{name: name, typ: ft,
				list: list, required: required})
		}
	}
	walk(t)
	return si
}

// baseStruct maps a govmomi Base* interface to the struct it stands for.
func baseStruct(iface reflect.Type) (reflect.Type, error) {
	name := strings.TrimPrefix(iface.Name(), "Base")
	t, ok := lookupType(nsPbm, name)
	if !ok || name == iface.Name() {
		return nil, errNotFound
	}
	return t, nil
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PtrTo(t).Implements(iface)
}

func isLeaf(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct:
		return t == timeType
	case reflect.Interface:
		return false
	}
	return true
}

// ---------------------------------------------------------------------------
// Checking

type checker struct {
	file       string
	ns         string // the request's namespace: urn:vim25 or urn:pbm
	violations []string
}

func (c *checker) report(n *node, path, format string, args ...interface{}) {
	msg := fmt.Sprintf(format, args...)
	c.violations = append(c.violations,
		fmt.Sprintf("%s:%d: %s: %s", c.file, n.line, path, msg))
}

func typeLabel(t reflect.Type) string {
	if t == anyType {
		return "anyType"
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

// orderWindow lists the schema order from field a to field b, eliding the
// rest, e.g. "…, diskMoveType, pool, …".
func orderWindow(si *structInfo, a, b int) string {
	if len(si.fields) == 0 {
		return "no elements"
	}
	if a > b {
		a, b = b, a
	}
	var names []string
	for i := a; i <= b; i++ {
		names = append(names, si.fields[i].name)
	}
	if len(names) > 12 {
		names = append(append(names[:5:5], "…"), names[len(names)-5:]...)
	}
	s := strings.Join(names, ", ")
	if a > 0 {
		s = "…, " + s
	}
	if b < len(si.fields)-1 {
		s += ", …"
	}
	return s
}

func validLeafText(t reflect.Type, s string) bool {
	s = strings.TrimSpace(s)
	switch t.Kind() {
	case reflect.Bool:
		return s == "true" || s == "false" || s == "1" || s == "0"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Int64:
		_, err := strconv.ParseInt(s, 10, t.Bits())
		return err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32,
		reflect.Uint64:
		_, err := strconv.ParseUint(s, 10, t.Bits())
		return err == nil
	case reflect.Float32, reflect.Float64:
		_, err := strconv.ParseFloat(s, t.Bits())
		return err == nil
	}
	return true
}

// resolve picks the type an element is checked against: its xsi:type when
// present (which must fit the declared type), else the declared type.
// Returns nil for XML Schema simple types.
func (c *checker) resolve(n *node, path string, declared reflect.Type) (
	reflect.Type, bool) {
	if n.xsiType == nil {
		switch {
		case declared == anyType:
			if len(n.children) > 0 || n.hasText() {
				c.report(n, path, "anyType value without xsi:type")
				return nil, false
			}
			return nil, true
		case declared.Kind() == reflect.Interface:
			t, err := baseStruct(declared)
			if err != nil {
				c.report(n, path, "no schema type for %s",
					declared.Name())
				return nil, false
			}
			return t, true
		}
		return declared, true
	}
	x := *n.xsiType
	switch x.Space {
	case nsXSD:
		if declared != anyType && declared.Kind() == reflect.Struct &&
			declared != timeType {
			c.report(n, path, "xsi:type xsd:%s where %s is expected",
				x.Local, typeLabel(declared))
			return nil, false
		}
		return nil, true
	case c.ns:
	default:
		c.report(n, path, "xsi:type %s is not in %s (namespace %q)",
			x.Local, c.ns, x.Space)
		return nil, false
	}
	t, ok := lookupType(x.Space, x.Local)
	if !ok {
		c.report(n, path, "unknown xsi:type %s", x.Local)
		return nil, false
	}
	switch {
	case declared == anyType:
	case declared.Kind() == reflect.Interface:
		if !implements(t, declared) {
			c.report(n, path, "xsi:type %s is not a %s", x.Local,
				strings.TrimPrefix(declared.Name(), "Base"))
			return nil, false
		}
	case t != declared:
		c.report(n, path, "xsi:type %s where %s is expected", x.Local,
			typeLabel(declared))
		return nil, false
	}
	return t, true
}

func (c *checker) element(n *node, path string, declared reflect.Type) {
	t, ok := c.resolve(n, path, declared)
	if !ok {
		return
	}
	if t == nil || isLeaf(t) {
		if len(n.children) > 0 {
			c.report(n.children[0], path,
				"element <%s> inside a simple value (%s)",
				n.children[0].local, typeLabel(declared))
			return
		}
		if t != nil && !validLeafText(t, n.text.String()) {
			c.report(n, path, "%q is not a valid %s",
				strings.TrimSpace(n.text.String()), t.Kind())
		}
		return
	}
	si := describe(t)
	for _, a := range si.attrs {
		found := false
		for _, at := range n.attrs {
			if at.Name.Space == "" && at.Name.Local == a {
				found = true
			}
		}
		if !found {
			c.report(n, path, "missing attribute %s (%s)", a, si.name)
		}
	}
	if !si.chardata && n.hasText() {
		c.report(n, path, "text content in %s", si.name)
	}
	last := -1
	seen := map[int]bool{}
	counts := map[string]int{}
	for _, ch := range n.children {
		counts[ch.local]++
		cpath := fmt.Sprintf("%s/%s", path, ch.local)
		if counts[ch.local] > 1 {
			cpath = fmt.Sprintf("%s[%d]", cpath, counts[ch.local]-1)
		}
		if ch.space != c.ns {
			c.report(ch, path, "element <%s> is in namespace %q, "+
				"not %s", ch.local, ch.space, c.ns)
			continue
		}
		i, ok := si.index[ch.local]
		if !ok {
			c.report(ch, path, "unknown element <%s> in %s "+
				"(schema order: %s)", ch.local, si.name,
				orderWindow(si, 0, len(si.fields)-1))
			continue
		}
		f := si.fields[i]
		switch {
		case i < last:
			c.report(ch, path, "element <%s> appears after <%s> "+
				"(schema order of %s: %s)", ch.local,
				si.fields[last].name, si.name,
				orderWindow(si, i, last))
		case i == last && !f.list:
			c.report(ch, path, "element <%s> repeated but %s.%s "+
				"is not a list", ch.local, si.name, f.name)
		}
		if i > last {
			last = i
		}
		seen[i] = true
		c.element(ch, cpath, f.typ)
	}
	for i, f := range si.fields {
		if f.required && !seen[i] {
			c.report(n, path, "missing required element <%s> (%s)",
				f.name, si.name)
		}
	}
}

// notSOAP reports whether the fixture's NNN-op.meta beside a NNN-op.request
// file shows an HTTP exchange without a SOAPAction (a datastore upload or
// download): such bodies are not SOAP and are not checked.
func notSOAP(path string) bool {
	if !strings.HasSuffix(path, ".request") {
		return false
	}
	meta, err := readLimited(strings.TrimSuffix(path, ".request") +
		".meta")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(meta), "\n") {
		if strings.HasPrefix(line, "soap_action ") {
			return false
		}
	}
	return true
}

// placeholders are the one-line stand-ins fixture files hold for bodies
// that were streamed or are sensitive (see vsphere/fixture.h).
var placeholders = []string{"<upload: ", "<sensitive upload: ",
	"<sensitive body: "}

// checkFile returns skipped=true when the file holds no SOAP request.
func (c *checker) checkFile(data []byte) (skipped bool, why string) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return true, "empty"
	}
	for _, p := range placeholders {
		if bytes.HasPrefix(trimmed, []byte(p)) {
			return true, "placeholder"
		}
	}
	if notSOAP(c.file) {
		return true, "no soap_action in .meta"
	}
	root, err := parse(data)
	if err != nil {
		line := 0
		var pe *parseError
		if errors.As(err, &pe) {
			line = pe.line
		}
		c.violations = append(c.violations, fmt.Sprintf(
			"%s:%d: not well-formed: %v", c.file, line, err))
		return false, ""
	}
	if root.space != nsSOAP || root.local != "Envelope" {
		c.report(root, root.local, "not a SOAP envelope: <%s> in %q",
			root.local, root.space)
		return false, ""
	}
	var body *node
	for _, ch := range root.children {
		if ch.space == nsSOAP && ch.local == "Body" {
			body = ch
		}
	}
	if body == nil {
		c.report(root, "Envelope", "no soapenv:Body")
		return false, ""
	}
	if len(body.children) != 1 {
		c.report(body, "Body", "%d elements in the Body, want one",
			len(body.children))
		return false, ""
	}
	req := body.children[0]
	if req.space == nsSOAP && req.local == "Fault" ||
		strings.HasSuffix(req.local, "Response") {
		return true, "a response, not a request"
	}
	if req.space != nsVim25 && req.space != nsPbm {
		c.report(req, req.local, "request element in namespace %q, "+
			"not urn:vim25 or urn:pbm", req.space)
		return false, ""
	}
	c.ns = req.space
	t, ok := lookupType(req.space, req.local)
	if ok {
		si := describe(t)
		ok = len(si.fields) > 0 && si.fields[0].name == "_this"
	}
	if !ok {
		c.report(req, req.local, "<%s> is not a vim25 method "+
			"(names are case-sensitive)", req.local)
		return false, ""
	}
	if req.xsiType != nil {
		c.report(req, req.local, "xsi:type on a request element")
	}
	c.element(req, req.local, t)
	return false, ""
}

// ---------------------------------------------------------------------------
// Command line

// printable keeps reports safe for a terminal: names and text in them come
// from the (possibly hostile) input, so invalid UTF-8 and control
// characters become '?', and very long reports are cut.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
	if len(s) > 2000 {
		s = strings.ToValidUTF8(s[:2000], "") + "…"
	}
	return s
}

func wanted(path string) bool {
	base := filepath.Base(path)
	if strings.HasPrefix(base, ".") {
		return false
	}
	if strings.HasSuffix(base, ".request") {
		return true
	}
	return strings.HasSuffix(base, ".xml") &&
		!strings.HasSuffix(base, ".response.xml")
}

func collect(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry,
			err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && wanted(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", maxFileSize)
	}
	return data, nil
}

func main() {
	verbose := flag.Bool("v", false, "name every file checked or skipped")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: schemacheck [-v] FILE_OR_DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	files, err := collect(flag.Args())
	if err != nil {
		fmt.Fprintf(os.Stderr, "schemacheck: %v\n", err)
		os.Exit(2)
	}
	checked, skipped, bad, total := 0, 0, 0, 0
	for _, f := range files {
		data, err := readLimited(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "schemacheck: %s\n",
				printable(fmt.Sprintf("%s: %v", f, err)))
			os.Exit(2)
		}
		c := &checker{file: f}
		skip, why := c.checkFile(data)
		if skip {
			skipped++
			if *verbose {
				fmt.Printf("%s: skipped (%s)\n", f, why)
			}
			continue
		}
		checked++
		for _, v := range c.violations {
			fmt.Println(printable(v))
		}
		if len(c.violations) > 0 {
			bad++
			total += len(c.violations)
		} else if *verbose {
			fmt.Printf("%s: ok\n", f)
		}
	}
	fmt.Printf("schemacheck: %d checked, %d skipped, %d with violations "+
		"(%d violations)\n", checked, skipped, bad, total)
	if bad > 0 {
		os.Exit(1)
	}
}
