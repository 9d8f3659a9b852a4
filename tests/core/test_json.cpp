// core/json.h: the strict parser (line numbers in errors, duplicate keys, escapes, bounded
// nesting, trailing text) and the deterministic writer (round trips, bit-exact numbers).
#include "lnscope/core/json.h"

#include <QTest>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace lnscope::core;

namespace {

/// The JsonError message parseJson throws for text, or what happened instead.
QString errorOf(const std::string& text)
{
    try {
        parseJson(text);
    } catch (const JsonError& e) {
        return QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("wrong exception type: ") + e.what();
    }
    return QStringLiteral("no exception");
}

std::string nested(int levels, const std::string& inner = "")
{
    return std::string(size_t(levels), '[') + inner + std::string(size_t(levels), ']');
}

} // namespace

class TestJson : public QObject
{
    Q_OBJECT
private slots:
    // Compact canonical text comes back byte for byte: key order kept, numbers shortest.
    void roundTrip_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addRow("null") << std::string("null");
        QTest::addRow("booleans") << std::string("[true,false]");
        QTest::addRow("integers") << std::string("[0,-1,42,4294967295]");
        QTest::addRow("fractions") << std::string("[0.1,-2.5,1e+20,1.5e-07]");
        QTest::addRow("string") << std::string("\"a b\"");
        QTest::addRow("empty containers") << std::string("[[],{}]");
        QTest::addRow("key order kept") << std::string("{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":null}}");
        QTest::addRow("utf-8 as is") << std::string("\"caf\xC3\xA9 \xE2\x82\xAC\"");
        QTest::addRow("escaped quote, backslash, control") << std::string("\"\\\"\\\\\\n\\u001f\"");
    }
    void roundTrip()
    {
        QFETCH(std::string, text);
        QCOMPARE(writeJson(parseJson(text)), text);
    }

    // Whitespace and alternative spellings parse to the same value as the canonical form.
    void normalises_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("canonical");
        QTest::addRow("whitespace") << std::string(" {\n\t\"a\" : [ 1 , 2 ]\r\n} ") << std::string("{\"a\":[1,2]}");
        QTest::addRow("byte order mark") << std::string("\xEF\xBB\xBF[1]") << std::string("[1]");
        QTest::addRow("exponent forms") << std::string("[1E2,1.0,-0.0]") << std::string("[100,1,-0]");
        QTest::addRow("short escapes") << std::string("\"\\/\\b\\f\\n\\r\\t\"") << std::string("\"/\\b\\f\\n\\r\\t\"");
        QTest::addRow("long escapes") << std::string("\"\\u0008\\u000c\\u000a\\u000d\\u0009\\u0022\\u005c\"")
                                      << std::string("\"\\b\\f\\n\\r\\t\\\"\\\\\"");
    }
    void normalises()
    {
        QFETCH(std::string, text);
        QFETCH(std::string, canonical);
        QCOMPARE(writeJson(parseJson(text)), canonical);
    }

    void escapes_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<std::string>("decoded");
        QTest::addRow("ascii") << std::string("\"\\u0041\"") << std::string("A");
        QTest::addRow("two-byte") << std::string("\"\\u00e9\"") << std::string("\xC3\xA9");
        QTest::addRow("three-byte") << std::string("\"\\u20AC\"") << std::string("\xE2\x82\xAC");
        QTest::addRow("surrogate pair") << std::string("\"\\ud83d\\ude00\"") << std::string("\xF0\x9F\x98\x80");
        QTest::addRow("raw utf-8") << std::string("\"\xC3\xA9\"") << std::string("\xC3\xA9");
    }
    void escapes()
    {
        QFETCH(std::string, text);
        QFETCH(std::string, decoded);
        const JsonValue v = parseJson(text);
        QCOMPARE(int(v.kind), int(JsonValue::Kind::String));
        QCOMPARE(v.text, decoded);
    }

    // Every error names the line; the reason is the part a user acts on.
    void errors_data()
    {
        QTest::addColumn<std::string>("text");
        QTest::addColumn<QString>("expected");
        QTest::addRow("empty") << std::string("") << "line 1: the file is empty";
        QTest::addRow("only whitespace") << std::string("\n\n ") << "line 3: the file is empty";
        QTest::addRow("trailing garbage") << std::string("{}\n x") << "line 2: unexpected text after the JSON value";
        QTest::addRow("two values") << std::string("1 2") << "line 1: unexpected text after the JSON value";
        QTest::addRow("duplicate key") << std::string("{\"a\": 1,\n\n \"a\": 2}") << "line 3: duplicate key \"a\"";
        QTest::addRow("trailing comma") << std::string("[1,\n]") << "line 2: unexpected character ']'";
        QTest::addRow("unterminated array") << std::string("[1") << "line 1: expected ',' or ']' in the array";
        QTest::addRow("missing colon") << std::string("{\"a\" 1}") << "line 1: expected ':' after the key";
        QTest::addRow("unquoted key") << std::string("{a: 1}") << "line 1: expected a quoted key in the object";
        QTest::addRow("unterminated string") << std::string("[\n\"abc") << "line 2: unterminated string";
        QTest::addRow("newline in string") << std::string("\"a\nb\"") << "line 1: control character in a string";
        QTest::addRow("bad escape") << std::string("\"\\x\"") << "line 1: bad escape '\\x'";
        QTest::addRow("bad \\u") << std::string("\"\\u12g4\"") << "line 1: bad \\u escape";
        QTest::addRow("truncated \\u") << std::string("\"\\u12") << "line 1: truncated \\u escape";
        QTest::addRow("lone low surrogate") << std::string("\"\\udc00\"") << "line 1: unpaired surrogate";
        QTest::addRow("high surrogate alone") << std::string("\"\\ud800x\"") << "line 1: unpaired surrogate";
        QTest::addRow("leading zero") << std::string("[01]") << "line 1: number with a leading zero";
        QTest::addRow("plus sign") << std::string("[+1]") << "line 1: unexpected character '+'";
        QTest::addRow("bare dot") << std::string("[1.]") << "line 1: malformed number (no digits after '.')";
        QTest::addRow("empty exponent") << std::string("[1e]") << "line 1: malformed number (no digits in the exponent)";
        QTest::addRow("out of range") << std::string("\n1e999") << "line 2: number 1e999 is out of range";
        QTest::addRow("nan literal") << std::string("NaN") << "line 1: unexpected character 'N'";
        QTest::addRow("single quotes") << std::string("['a']") << "line 1: unexpected character '''";
    }
    void errors()
    {
        QFETCH(std::string, text);
        QFETCH(QString, expected);
        const QString message = errorOf(text);
        QVERIFY2(message.startsWith(expected), qPrintable(message));
    }

    void errorParts()
    {
        try {
            parseJson("[\n\n{\"k\": tru}]");
            QFAIL("no exception");
        } catch (const JsonError& e) {
            QCOMPARE(e.line(), size_t(3));
            QCOMPARE(e.reason(), std::string("unexpected character 't'"));
        }
    }

    // A hostile file must not overflow the stack: 256 levels parse, 257 are refused.
    void nesting_data()
    {
        QTest::addColumn<int>("levels");
        QTest::addColumn<bool>("accepted");
        QTest::addRow("255") << 255 << true;
        QTest::addRow("256") << 256 << true;
        QTest::addRow("257") << 257 << false;
        QTest::addRow("100000") << 100000 << false;
    }
    void nesting()
    {
        QFETCH(int, levels);
        QFETCH(bool, accepted);
        const std::string text = nested(levels, "1");
        if (accepted) {
            QCOMPARE(writeJson(parseJson(text)), text);
        } else {
            const QString message = errorOf(text);
            QVERIFY2(message.contains("nesting deeper than 256 levels"), qPrintable(message));
        }
    }

    // Shortest round-trip text reads back to the very same bits, for any finite double.
    void numbersBitExact()
    {
        std::mt19937 rng(20240611);
        std::vector<double> values = {0.0, -0.0, 1.0, 0.1, 1.0 / 3.0, 5e-324, 2.2250738585072014e-308,
                                      1.7976931348623157e308, -123456789.125, 9007199254740993.0};
        while (values.size() < 2000) {
            const uint64_t bits = (uint64_t(rng()) << 32) | rng();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            if (std::isfinite(d))
                values.push_back(d);
        }
        for (double d : values) {
            const std::string text = writeJson(JsonValue::makeNumber(d));
            const JsonValue back = parseJson(text);
            QVERIFY2(std::memcmp(&back.number, &d, sizeof d) == 0, text.c_str());
            QCOMPARE(writeJson(back), text);
        }
    }

    void nonFiniteRefused()
    {
        QVERIFY_THROWS_EXCEPTION(FormatError, writeJson(JsonValue::makeNumber(std::numeric_limits<double>::infinity())));
        QVERIFY_THROWS_EXCEPTION(FormatError, writeJson(JsonValue::makeNumber(std::nan(""))));
    }

    void linesAndLookup()
    {
        const JsonValue v = parseJson("{\n\"a\": 1,\n\"b\": [\n2, 3]}");
        QCOMPARE(v.line, size_t(1));
        QVERIFY(v.find("a"));
        QCOMPARE(v.find("a")->line, size_t(2));
        QVERIFY(v.find("a")->integral);
        QCOMPARE(v.find("b")->items[0].line, size_t(4));
        QVERIFY(!v.find("c"));
        QCOMPARE(std::string(jsonKindName(v.kind)), std::string("an object"));
    }

    void builtValues()
    {
        JsonValue o = JsonValue::makeObject();
        o.add("name", JsonValue::makeString("x\"y"));
        o.add("list", JsonValue::makeArray({JsonValue::makeBool(true), JsonValue(), JsonValue::makeNumber(0.5)}));
        QCOMPARE(writeJson(o), std::string("{\"name\":\"x\\\"y\",\"list\":[true,null,0.5]}"));
        QVERIFY_THROWS_EXCEPTION(FormatError, o.add("name", JsonValue()));
        QCOMPARE(jsonQuote("a\tb"), std::string("\"a\\tb\""));
        QCOMPARE(jsonQuote("\"\\\b\f\n\r\x01\x1f"), std::string("\"\\\"\\\\\\b\\f\\n\\r\\u0001\\u001f\""));
    }
};

QTEST_GUILESS_MAIN(TestJson)
#include "test_json.moc"
