/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for s3_xml.c: ListObjectsV2 pages (keys, common prefixes,
 * continuation), and truncated or hostile XML; error documents are
 * t_aws_error.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "s3.h"

#define NS	" xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/*
 * A page and what it must give: "want" lists the keys (with sizes) and
 * prefixes in order, one per line ("k KEY SIZE", "p PREFIX", "t TOKEN"),
 * or "error: CAUSE".
 */
static const struct {
	const char	*xml;
	const char	*want;
} pages[] = {
	{ HEAD "<ListBucketResult" NS "><Name>b</Name><Prefix>AWSLogs/"
	  "</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
	  "<IsTruncated>false</IsTruncated><Contents><Key>AWSLogs/a.json.gz"
	  "</Key><LastModified>2024-03-12T03:00:00.000Z</LastModified>"
	  "<ETag>&quot;0123&quot;</ETag><Size>42</Size><StorageClass>"
	  "STANDARD</StorageClass></Contents><Contents><Key>AWSLogs/b &amp; "
	  "c</Key><Size>0</Size></Contents></ListBucketResult>",
	  "k AWSLogs/a.json.gz 42 \"0123\"\nk AWSLogs/b & c 0 -\n" },
	{ "<ListBucketResult" NS "><IsTruncated>true</IsTruncated>"
	  "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="
	  "</NextContinuationToken><CommonPrefixes><Prefix>AWSLogs/o-aa1234"
	  "5678/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>AWSLogs/"
	  "111122223333/</Prefix></CommonPrefixes></ListBucketResult>",
	  "p AWSLogs/o-aa12345678/\np AWSLogs/111122223333/\n"
	  "t 1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=\n" },
	/* A token on a last page is ignored. */
	{ "<ListBucketResult><IsTruncated>false</IsTruncated>"
	  "<NextContinuationToken>x</NextContinuationToken>"
	  "</ListBucketResult>", "" },
	{ "<ListBucketResult/>", "" },
	/* Unknown elements, even nested, are skipped. */
	{ "<ListBucketResult><Owner><ID>x</ID><Key>not-a-key</Key></Owner>"
	  "<Contents><Key>k</Key><Size>1</Size><Owner><ID>y</ID></Owner>"
	  "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm></Contents>"
	  "</ListBucketResult>", "k k 1 -\n" },
	/* Keys with characters XML escapes, in UTF-8. */
	{ "<ListBucketResult><Contents><Key>d/&lt;&#x65E5;&gt;\xc3\xa9"
	  "</Key><Size>18446744073709551615</Size></Contents>"
	  "</ListBucketResult>",
	  "k d/<\xe6\x97\xa5>\xc3\xa9 18446744073709551615 -\n" },

	{ "<ListBucketResult><IsTruncated>true</IsTruncated>"
	  "</ListBucketResult>",
	  "error: bad listing: truncated without a continuation token" },
	{ "<ListBucketResult><Contents><Key>k</Key><Size>1",
	  "error: bad listing: line 1: no element found" },
	{ "<ListBucketResult><Contents><Key>k</Key></ListBucketResult>",
	  "error: bad listing: line 1: mismatched tag" },
	{ "", "error: bad listing: line 1: no element found" },
	{ "HTTP/1.1 200 OK", "error: bad listing: line 1: not well-formed (invalid token)" },
	{ "<Error><Code>AccessDenied</Code></Error>",
	  "error: bad listing: unexpected root element <Error>" },
	/*
	 * An empty wrong root: expat still reports its end after the
	 * parse was stopped, which once indexed the element stack at -1.
	 */
	{ "<Foo/>", "error: bad listing: unexpected root element <Foo>" },
	{ "<Error/>", "error: bad listing: unexpected root element <Error>" },
	{ "<ListBucketResult><Contents><Size>1</Size></Contents>"
	  "</ListBucketResult>",
	  "error: bad listing: Key or Size missing in <Contents>" },
	{ "<ListBucketResult><Contents><Key>k</Key></Contents>"
	  "</ListBucketResult>",
	  "error: bad listing: Key or Size missing in <Contents>" },
	{ "<ListBucketResult><Contents><Key>k</Key><Key>j</Key><Size>1"
	  "</Size></Contents></ListBucketResult>",
	  "error: bad listing: duplicate element <Key>" },
	{ "<ListBucketResult><Contents><Key></Key><Size>1</Size></Contents>"
	  "</ListBucketResult>", "error: bad listing: bad key in <Contents>" },
	{ "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
	  "</Contents></ListBucketResult>",
	  "error: bad listing: bad number in <Size>" },
	{ "<ListBucketResult><Contents><Key>k</Key><Size>18446744073709551616"
	  "</Size></Contents></ListBucketResult>",
	  "error: bad listing: bad number in <Size>" },
	{ "<ListBucketResult><Contents><Key>k<b>x</b></Key><Size>1</Size>"
	  "</Contents></ListBucketResult>",
	  "error: bad listing: unexpected element <b>" },
	{ "<ListBucketResult><IsTruncated>maybe</IsTruncated>"
	  "</ListBucketResult>", "error: bad listing: bad boolean in "
	  "<IsTruncated>" },
	/* Entity expansion is refused before it starts. */
	{ "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
	  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
	  "<ListBucketResult><Contents><Key>&b;</Key><Size>1</Size>"
	  "</Contents></ListBucketResult>",
	  "error: bad listing: document type declaration refused" },
	{ "<!DOCTYPE ListBucketResult SYSTEM \"file:///etc/passwd\">"
	  "<ListBucketResult/>",
	  "error: bad listing: document type declaration refused" },
	{ "<ListBucketResult><Contents><Key>&undefined;</Key><Size>1</Size>"
	  "</Contents></ListBucketResult>",
	  "error: bad listing: line 1: undefined entity" },
	{ "<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
	  "</Contents></ListBucketResult><ListBucketResult/>",
	  "error: bad listing: line 1: junk after document element" },
};

static void
page_render(const struct s3_page *pg, char *out, size_t size)
{
	size_t	 i, len = 0;

	out[0] = '\0';
	for (i = 0; i < pg->nobjects; i++)
		len += (size_t)snprintf(out + len, size - len, "k %s %llu %s\n",
		    pg->objects[i].key,
		    (unsigned long long)pg->objects[i].size,
		    pg->objects[i].etag != NULL ? pg->objects[i].etag : "-");
	for (i = 0; i < pg->nprefixes; i++)
		len += (size_t)snprintf(out + len, size - len, "p %s\n",
		    pg->prefixes[i]);
	if (pg->next_token != NULL)
		snprintf(out + len, size - len, "t %s\n", pg->next_token);
}

static int
test_pages(void)
{
	struct s3_page	 pg;
	char		 got[4096], *cause;
	size_t		 i;
	int		 failed = 0;

	for (i = 0; i < nitems(pages); i++) {
		cause = NULL;
		if (s3_xml_page(pages[i].xml, strlen(pages[i].xml), &pg,
		    &cause) == -1) {
			snprintf(got, sizeof got, "error: %s", cause);
			free(cause);
			if (pg.nobjects != 0 || pg.objects != NULL) {
				fprintf(stderr, "page %zu: not cleared\n", i);
				failed = 1;
			}
		} else {
			page_render(&pg, got, sizeof got);
			s3_page_clear(&pg);
		}
		if (strcmp(got, pages[i].want) != 0) {
			fprintf(stderr, "page %zu:\n got  %s\n want %s\n", i,
			    got, pages[i].want);
			failed = 1;
		}
	}
	return failed;
}

/* A page too big in each dimension: the caps hold. */
static int
test_caps(void)
{
	struct s3_page	 pg;
	char		*xml, *p, *cause = NULL;
	size_t		 i, size;
	int		 failed = 0;

	size = 64 + (S3_XML_ENTRIES_MAX + 1) * 64;
	xml = malloc(size);
	p = xml + sprintf(xml, "<ListBucketResult>");
	for (i = 0; i <= S3_XML_ENTRIES_MAX; i++)
		p += sprintf(p, "<Contents><Key>k%zu</Key><Size>1</Size>"
		    "</Contents>", i);
	sprintf(p, "</ListBucketResult>");
	if (s3_xml_page(xml, strlen(xml), &pg, &cause) != -1 ||
	    strcmp(cause, "bad listing: too many entries in the page") != 0) {
		fprintf(stderr, "entries cap: %s\n", cause ? cause : "passed");
		failed = 1;
	}
	free(cause);
	cause = NULL;

	p = xml + sprintf(xml, "<ListBucketResult><Contents><Key>");
	memset(p, 'k', S3_KEY_MAX + 1);
	sprintf(p + S3_KEY_MAX + 1, "</Key><Size>1</Size></Contents>"
	    "</ListBucketResult>");
	if (s3_xml_page(xml, strlen(xml), &pg, &cause) != -1 ||
	    strcmp(cause, "bad listing: bad key in <Contents>") != 0) {
		fprintf(stderr, "key cap: %s\n", cause ? cause : "passed");
		failed = 1;
	}
	free(cause);
	cause = NULL;

	p = xml;
	for (i = 0; i < S3_XML_DEPTH_MAX + 1; i++)
		p += sprintf(p, "<%s>", i == 0 ? "ListBucketResult" : "a");
	for (i = S3_XML_DEPTH_MAX + 1; i-- > 0;)
		p += sprintf(p, "</%s>", i == 0 ? "ListBucketResult" : "a");
	if (s3_xml_page(xml, strlen(xml), &pg, &cause) != -1 ||
	    strcmp(cause, "bad listing: elements nested too deep at <a>") !=
	    0) {
		fprintf(stderr, "depth cap: %s\n", cause ? cause : "passed");
		failed = 1;
	}
	free(cause);
	free(xml);
	return failed;
}

int
main(void)
{
	int	 failed = 0;

	failed |= test_pages();
	failed |= test_caps();
	return failed;
}
