package main

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<password>s3cret</password>`, `<password>REDACTED</password>`},
		{`<vim25:password>p&amp;ss&lt;w&gt;</vim25:password>`,
			`<vim25:password>REDACTED</vim25:password>`},
		{`<x:password xmlns:x="urn:vim25"><![CDATA[a<b]]></x:password>`,
			`<x:password xmlns:x="urn:vim25">REDACTED</x:password>`},
		{`<password/><userName>u</userName>`,
			`<password/><userName>u</userName>`},
		{`<userName>password</userName>`, `<userName>password</userName>`},
		{`<passwordHint>h</passwordHint>`, `<passwordHint>h</passwordHint>`},
		{`<sessionID>52a1-77</sessionID><userName>u</userName>`,
			`<sessionID>REDACTED</sessionID><userName>u</userName>`},
		{"<password>a</password>x<password>b\n</password>",
			"<password>REDACTED</password>x<password>REDACTED</password>"},
		{`<key>guestinfo.userdata</key><value xsi:type="xsd:string">` +
			`e30=</value>`,
			`<key>guestinfo.userdata</key><value xsi:type="xsd:string">` +
				`REDACTED</value>`},
		{`<v:key>guestinfo.userdata.encoding</v:key> <v:value>base64` +
			`</v:value>`,
			`<v:key>guestinfo.userdata.encoding</v:key> <v:value>base64` +
				`</v:value>`},
		{`<key>guestinfo.other</key><value>keep</value>`,
			`<key>guestinfo.other</key><value>keep</value>`},
	}
	for _, c := range cases {
		got := string(redact([]byte(c.in)))
		if got != c.want {
			t.Errorf("redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestSoapMethod(t *testing.T) {
	env := func(body string) []byte {
		return []byte(`<?xml version="1.0"?><s:Envelope ` +
			`xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">` +
			`<s:Header><h/></s:Header><s:Body>` + body +
			`</s:Body></s:Envelope>`)
	}
	cases := []struct {
		in   []byte
		want string
	}{
		{env(`<vim25:Login xmlns:vim25="urn:vim25"/>`), "Login"},
		{env(`<CloneVM_Task xmlns="urn:vim25"><a/></CloneVM_Task>`),
			"CloneVM_Task"},
		{env(`<Bad.Name-x/>`), "Bad_Name_x"},
		{env(`<` + strings.Repeat("a", 100) + `/>`), "unknown"},
		{env(``), "unknown"},
		{[]byte(`not xml`), "unknown"},
		{[]byte(``), "unknown"},
	}
	for _, c := range cases {
		if got := soapMethod(c.in); got != c.want {
			t.Errorf("soapMethod(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
