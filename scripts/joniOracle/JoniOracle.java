// The Joni oracle for test/support/joniOracle.json: answers whether each pattern finds a match in
// each string, as Trino's regexp_like does (JoniRegexpCasts: Option.DEFAULT, UTF-8, Syntax.Java;
// JoniRegexpFunctions.regexpLike: a search over the whole value). Input on stdin: a line "S" and
// the number of strings, then each string (base64 of UTF-8), then "P" lines with a base64
// pattern. Output: one line per pattern: a character per string (1 match, 0 none), "E" and
// the error when Joni refuses the pattern, or "F" and the exception when matching fails.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.jcodings.specific.UTF8Encoding;
import org.joni.*;

public class JoniOracle {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    Base64.Decoder b64 = Base64.getDecoder();
    int n = Integer.parseInt(in.readLine().substring(2).trim());
    List<byte[]> strings = new ArrayList<>();
    for (int i = 0; i < n; i++) strings.add(b64.decode(in.readLine().trim()));
    String line;
    while ((line = in.readLine()) != null) {
      byte[] p = b64.decode(line.substring(2).trim());
      Regex re;
      try {
        re = new Regex(p, 0, p.length, Option.DEFAULT, UTF8Encoding.INSTANCE, Syntax.Java);
      } catch (Exception e) {
        out.println("E " + e.getMessage().replace('\n', ' '));
        continue;
      }
      StringBuilder sb = new StringBuilder();
      try {
        for (byte[] s : strings) {
          Matcher m = re.matcher(s);
          sb.append(m.search(0, s.length, Option.DEFAULT) >= 0 ? '1' : '0');
        }
        out.println(sb);
      } catch (RuntimeException e) {
        // A Joni failure while matching (Trino reports the query as failed): recorded, never hidden.
        out.println("F " + e);
      }
    }
  }
}
