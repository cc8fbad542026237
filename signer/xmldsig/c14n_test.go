package xmldsig

import (
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

var c14nCases = []struct {
	name string
	in   string
	apex string // etree path of the apex; "" for the whole document
	opts c14nMethod
	incl string // exclusive InclusiveNamespaces prefix
	want string
}{
	// C14N 1.0 section 3.1, without its DOCTYPE (refused here).
	{name: "3.1 without comments", in: "<?xml version=\"1.0\"?>\n\n<?xml-stylesheet   href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n\n<doc>Hello, world!<!-- Comment 1 --></doc>\n\n<?pi-without-data     ?>\n\n<!-- Comment 2 -->\n\n<!-- Comment 3 -->",
		want: "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!</doc>\n<?pi-without-data?>"},
	{name: "3.1 with comments", in: "<?xml version=\"1.0\"?>\n\n<?xml-stylesheet   href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n\n<doc>Hello, world!<!-- Comment 1 --></doc>\n\n<?pi-without-data     ?>\n\n<!-- Comment 2 -->\n\n<!-- Comment 3 -->",
		opts: c14nMethod{comments: true},
		want: "<?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>\n<doc>Hello, world!<!-- Comment 1 --></doc>\n<?pi-without-data?>\n<!-- Comment 2 -->\n<!-- Comment 3 -->"},
	// Section 3.2: whitespace in content is kept as is.
	{name: "3.2 whitespace", in: "<doc>\n   <clean>   </clean>\n   <dirty>   A   B   </dirty>\n</doc>",
		want: "<doc>\n   <clean>   </clean>\n   <dirty>   A   B   </dirty>\n</doc>"},
	// Empty elements, attribute order and quoting, superfluous namespace
	// declarations (section 3.3, the parts without a DTD).
	{name: "3.3 tags", in: `<doc><e1   /><e2   ></e2><e3   name = "elem3"   id="elem3"   /><e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
   xmlns:b="http://www.ietf.org"
   xmlns:a="http://www.w3.org"
   xmlns="http://example.org"/><e6 xmlns="" xmlns:a="http://www.w3.org"><e7 xmlns="http://www.ietf.org"><e8 xmlns="" xmlns:a="http://www.w3.org"><e9 xmlns="" xmlns:a="http://www.ietf.org"/></e8></e7></e6></doc>`,
		want: `<doc><e1></e1><e2></e2><e3 id="elem3" name="elem3"></e3><e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5><e6 xmlns:a="http://www.w3.org"><e7 xmlns="http://www.ietf.org"><e8 xmlns=""><e9 xmlns:a="http://www.ietf.org"></e9></e8></e7></e6></doc>`},
	// Section 3.4 without the DTD: character references, CR, markup in text,
	// attribute value normalization of literal whitespace.
	{name: "3.4 characters", in: "<doc><text>First line&#x0d;&#10;Second line</text><value>&#x32;</value><compute><![CDATA[value>\"0\" && value<\"10\" ?\"valid\":\"error\"]]></compute><norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/><normNames attr='   A   &#x20;&#13;&#xa;&#9;   B   '/></doc>",
		want: "<doc><text>First line&#xD;\nSecond line</text><value>2</value><compute>value&gt;\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"</compute><norm attr=\" '    &#xD;&#xA;&#x9;   ' \"></norm><normNames attr=\"   A    &#xD;&#xA;&#x9;   B   \"></normNames></doc>"},
	{name: "literal whitespace in attributes", in: "<a x=\"1\t2\r\n3\n4\"/>", want: `<a x="1 2 3 4"></a>`},
	// Exclusive C14N section 2.2: the same subtree, inclusive and exclusive.
	{name: "exc-c14n 2.2 inclusive", in: `<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`,
		apex: "//n1:elem2",
		want: `<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en"><n3:stuff></n3:stuff></n1:elem2>`},
	{name: "exc-c14n 2.2 exclusive", in: `<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`,
		apex: "//n1:elem2", opts: c14nMethod{exclusive: true},
		want: `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>`},
	{name: "exclusive with InclusiveNamespaces", in: `<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net"/></n0:local>`,
		apex: "//n1:elem2", opts: c14nMethod{exclusive: true}, incl: "n0",
		want: `<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net"></n1:elem2>`},
	{name: "inclusive apex inherits xml attributes", in: `<r xml:lang="kk" xml:space="preserve"><a xml:lang="ru"><b/></a></r>`,
		apex: "//b", want: `<b xml:lang="ru" xml:space="preserve"></b>`},
	{name: "exclusive apex does not inherit xml attributes", in: `<r xml:lang="kk"><b/></r>`,
		apex: "//b", opts: c14nMethod{exclusive: true}, want: `<b></b>`},
	{name: "default namespace undeclared under exclusive", in: `<r xmlns="urn:r"><a xmlns=""><b/></a></r>`,
		apex: "//a", opts: c14nMethod{exclusive: true}, want: `<a><b></b></a>`},
	{name: "prefixed attributes sort by namespace URI", in: `<e xmlns:b="urn:a" xmlns:a="urn:b" a:x="1" b:y="2" z="3"/>`,
		want: `<e xmlns:a="urn:b" xmlns:b="urn:a" z="3" b:y="2" a:x="1"></e>`},
	// An unprefixed attribute is in no namespace, whatever the default, so
	// it sorts first (a bug the goxmldsig comparison caught).
	{name: "unprefixed attributes first under a default namespace", in: `<e xmlns="urn:z" xmlns:a="urn:a" a:x="1" z="3" xml:lang="kk"/>`,
		want: `<e xmlns="urn:z" xmlns:a="urn:a" z="3" xml:lang="kk" a:x="1"></e>`},
}

func TestCanonicalize(t *testing.T) {
	for _, tc := range c14nCases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			opts := c14nOptions{c14nMethod: tc.opts}
			if tc.incl != "" {
				opts.inclusivePrefixes = map[string]bool{tc.incl: true}
			}
			var got []byte
			if tc.apex == "" {
				got, err = canonicalizeDocument(doc, opts)
			} else {
				got, err = canonicalizeElement(findElement(t, doc, tc.apex), opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func findElement(t *testing.T, doc *etree.Document, path string) *etree.Element {
	t.Helper()
	e := doc.FindElement(path)
	if e == nil {
		t.Fatalf("no %s", path)
	}
	return e
}

// TestCanonicalizeAgreesWithGoxmldsig compares with goxmldsig's exported
// canonicalizers on documents inside their competence (no prefixed
// attributes of different namespaces, no document-level nodes, no inherited
// xml:* attributes). The cases above show where they differ.
func TestCanonicalizeAgreesWithGoxmldsig(t *testing.T) {
	docs := []string{
		agreementXML,
		`<ns1:doc xmlns:ns1="urn:test" id="d1"><ns1:item>  spaced  </ns1:item><empty/></ns1:doc>`,
		`<root xmlns="urn:r" xmlns:p="urn:p"><p:a Id="x" b="1" a="2"><!-- c --><p:b xmlns:q="urn:q"><q:c/></p:b></p:a></root>`,
	}
	for i, src := range docs {
		doc, err := parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for k, e := range doc.Root().FindElements("//*") {
			for _, tc := range []struct {
				ours   c14nMethod
				theirs dsig.Canonicalizer
			}{
				{c14nMethod{exclusive: true}, dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")},
				{c14nMethod{exclusive: true, comments: true}, dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")},
				{c14nMethod{}, dsig.MakeC14N10RecCanonicalizer()},
				{c14nMethod{comments: true}, dsig.MakeC14N10WithCommentsCanonicalizer()},
			} {
				ours, err := canonicalizeElement(e, c14nOptions{c14nMethod: tc.ours})
				if err != nil {
					t.Fatal(err)
				}
				// goxmldsig's canonicalizers read the ancestors and may
				// change the tree: give them the same element of a copy.
				// Its exclusive one ignores ancestors: detach the element
				// with their declarations first, as goxmldsig's validator does.
				el := doc.Copy().Root().FindElements("//*")[k]
				if tc.ours.exclusive {
					ctx, err := etreeutils.NSBuildParentContext(el)
					if err == nil {
						el, err = etreeutils.NSDetatch(ctx, el)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				theirs, err := tc.theirs.Canonicalize(el)
				if err != nil {
					t.Fatal(err)
				}
				if string(ours) != string(theirs) {
					t.Errorf("doc %d %s %+v:\n ours   %q\n theirs %q", i, e.FullTag(), tc.ours, ours, theirs)
				}
			}
		}
	}
}

// TestPrescan checks the attribute normalization and DTD detection state
// machine on markup that could confuse it.
func TestPrescan(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<a b='x\ty'>\t\n</a>", "<a b='x y'>\t\n</a>"},
		{"<a b=\"'\r\n'\" c='\"\n\"'/>", "<a b=\"' '\" c='\" \"'/>"},
		{"<!-- <a b='\n'> --><a/>", "<!-- <a b='\n'> --><a/>"},
		{"<a><![CDATA[<b c='\n'>]]></a>", "<a><![CDATA[<b c='\n'>]]></a>"},
		{"<?pi x='\n'?><a>'\n'</a>", "<?pi x='\n'?><a>'\n'</a>"},
		{"<a b='>\n'/>", "<a b='> '/>"},
	} {
		got, _, err := prescan([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("prescan(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"<!DOCTYPE a><a/>", "<a/><!ENTITY x 'y'>", "<!-- x", "<![CDATA[", "<?pi"} {
		if _, _, err := prescan([]byte(in)); err == nil {
			t.Errorf("prescan(%q) accepted", in)
		}
	}
}
