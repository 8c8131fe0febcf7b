"""Rendering: line markers back to template file:line, undefined variables, register helpers and
the register-usage scan (no toolchain needed)."""

import os
import time
import unittest
from unittest import mock

from support import REPO, TempDirTest

from asmgen_lib.errors import TemplateError
from asmgen_lib.regusage import scan
from asmgen_lib.render import Renderer
from asmgen_lib.render_budget import RenderBudgetExceeded


class RenderTest(TempDirTest):
    def renderer(self, files: dict) -> Renderer:
        for name, text in files.items():
            (self.tmp / name).write_text(text)
        return Renderer(self.tmp, self.tmp, self.tmp, self.tmp)

    def test_every_output_line_maps_to_its_template_line(self):
        r = self.renderer({
            "main.s.j2": ('{% import "macros.j2" as m %}\n'          # 1
                          "  s_nop 0\n"                               # 2
                          "{% for i in range(2) %}\n"                 # 3
                          "  v_mov_b32 v{{ i }}, {{ i }}\n"           # 4
                          "{% endfor %}\n"                            # 5
                          "{{ m.pair('v9') }}\n"                      # 6
                          "  s_endpgm\n"),                            # 7
            "macros.j2": ("{% macro pair(r) %}\n"                     # 1
                          "  v_add_f32 {{ r }}, {{ r }}, {{ r }}\n"   # 2
                          "  v_mul_f32 {{ r }}, {{ r }}, {{ r }}\n"   # 3
                          "{% endmacro %}\n"),
        })
        out = r.render("main.s.j2", {})
        mapped = [(line.strip(), str(origin)) for line, origin in zip(out.text.split("\n"), out.origins)
                  if line.strip()]
        self.assertEqual(mapped, [
            ("s_nop 0", "main.s.j2:2"),
            ("v_mov_b32 v0, 0", "main.s.j2:4"),
            ("v_mov_b32 v1, 1", "main.s.j2:4"),
            ("v_add_f32 v9, v9, v9", "macros.j2:2, called from main.s.j2:6"),
            ("v_mul_f32 v9, v9, v9", "macros.j2:3, called from main.s.j2:6"),
            ("s_endpgm", "main.s.j2:7"),
        ])
        self.assertNotIn("\x02", out.text)
        self.assertNotIn("\x03", out.text)

    def test_nested_macro_calls_give_the_whole_chain(self):
        r = self.renderer({
            "main.s.j2": '{% import "m.j2" as m %}\n  s_nop 0\n{{ m.outer() }}\n  s_endpgm\n',
            "m.j2": ("{% macro inner() %}\n"          # 1
                     "  v_inner v1\n"                 # 2
                     "{% endmacro %}\n"               # 3
                     "{% macro outer() %}\n"          # 4
                     "  v_outer v2\n"                 # 5
                     "{{ inner() }}\n"                # 6
                     "{% endmacro %}\n"),
        })
        out = r.render("main.s.j2", {})
        mapped = {line.strip(): str(origin) for line, origin in zip(out.text.split("\n"), out.origins)
                  if line.strip()}
        self.assertEqual(mapped["v_outer v2"], "m.j2:5, called from main.s.j2:3")
        self.assertEqual(mapped["v_inner v1"], "m.j2:2, called from m.j2:6, called from main.s.j2:3")
        self.assertEqual(mapped["s_endpgm"], "main.s.j2:4")

    def test_whitespace_control_and_multiline_tags_keep_their_meaning(self):
        r = self.renderer({"main.s.j2": ("{% set regs = [\n"
                                         "  1, 2] %}\n"
                                         "  a {{- ' b' }}\n"
                                         "  {{- ' c' }}\n"
                                         "{{ regs | sum }}\n")})
        self.assertEqual(r.render("main.s.j2", {}).text, "  a b c\n3\n")

    def test_undefined_variable_names_file_and_line(self):
        r = self.renderer({"main.s.j2": "  s_nop 0\n  v_mov_b32 v1, {{ missing }}\n"})
        with self.assertRaises(TemplateError) as caught:
            r.render("main.s.j2", {})
        self.assertIn("main.s.j2:2", str(caught.exception))
        self.assertIn("'missing' is undefined", str(caught.exception))

    def test_undefined_variable_inside_a_macro_names_the_macro_file(self):
        r = self.renderer({"main.s.j2": '{% import "m.j2" as m %}\n{{ m.f() }}\n',
                           "m.j2": "{% macro f() %}\n  s_nop {{ nope }}\n{% endmacro %}\n"})
        with self.assertRaises(TemplateError) as caught:
            r.render("main.s.j2", {})
        self.assertIn("m.j2:2", str(caught.exception))

    def test_syntax_error_names_file_and_line(self):
        r = self.renderer({"main.s.j2": "  s_nop 0\n{% if %}\n"})
        with self.assertRaises(TemplateError) as caught:
            r.render("main.s.j2", {})
        self.assertIn("main.s.j2:2", str(caught.exception))

    def test_fail_reports_the_template_line(self):
        r = self.renderer({"main.s.j2": "\n{{ fail('not for this arch') }}\n"})
        with self.assertRaises(TemplateError) as caught:
            r.render("main.s.j2", {})
        self.assertIn("main.s.j2:2", str(caught.exception))
        self.assertIn("not for this arch", str(caught.exception))

    def test_register_helpers(self):
        r = self.renderer({"main.s.j2": "{% set t = vreg(4, 4) %}{{ t }} {{ t[1] }} {{ sreg(7) }} {{ t.slice(2, 2) }}"})
        self.assertEqual(r.render("main.s.j2", {}).text, "v[4:7] v5 s7 v[6:7]")

    def test_shared_macro_files_are_found_in_asm_src(self):
        r = Renderer(self.tmp, self.tmp, REPO / "asm_src", REPO)
        (self.tmp / "main.s.j2").write_text('{% import "fp32_div.inc.j2" as d %}{{ d.fdiv_f32("v1", "v2", "v3", '
                                            '["v4", "v5", "v6", "v7"]) }}\n')
        text = r.render("main.s.j2", {}).text
        for op in ("v_div_scale_f32", "v_rcp_f32", "v_fma_f32", "v_div_fmas_f32", "v_div_fixup_f32 v1, v1, v3, v2"):
            self.assertIn(op, text)


class RegisterScanTest(unittest.TestCase):
    def test_highest_register_of_each_kind(self):
        use = scan("  v_mov_b32 v7, s3\n"
                   "  buffer_load_dwordx4 v[20:23], v1, s[16:19], 0 offen\n"
                   "  v_accvgpr_write_b32 a5, v2   // v99 in a comment does not count\n"
                   "  s_cbranch_scc1 .Lloop_v77\n")
        self.assertEqual((use.vgpr, use.agpr, use.sgpr, use.uses_scratch), (24, 6, 20, False))

    def test_scratch_instructions_are_noticed(self):
        self.assertTrue(scan("  scratch_store_dword off, v1, s0\n").uses_scratch)

    def test_no_registers(self):
        use = scan("  s_endpgm\n")
        self.assertEqual((use.vgpr, use.agpr, use.sgpr), (0, 0, 0))


class RenderBudgetTest(TempDirTest):
    """Issue 17: a template loop without bound (range(10**9), loops nested too deep) used to run for
    as long as it took; now it ends as an error naming the template line."""

    def renderer(self, text: str) -> Renderer:
        (self.tmp / "main.s.j2").write_text(text)
        return Renderer(self.tmp, self.tmp, self.tmp, self.tmp)

    def test_a_range_past_the_budget_is_refused_at_once(self):
        r = self.renderer("  s_nop 0\n{% for i in range(10**9) %}\n  s_nop {{ i }}\n{% endfor %}\n")
        started = time.monotonic()
        with self.assertRaises(RenderBudgetExceeded) as caught:
            r.render("main.s.j2", {})
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("main.s.j2:2: range(1000000000) has 1000000000 items, more than the 1000000", str(caught.exception))

    def test_a_render_past_its_time_budget_stops_naming_the_line(self):
        r = self.renderer("  s_nop 0\n{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
                          "{% set x = i + j + k %}{% endfor %}{% endfor %}{% endfor %}\n  s_endpgm\n")
        started = time.monotonic()
        with mock.patch.dict(os.environ, {"ASMGEN_RENDER_SECONDS": "0.5"}):
            with self.assertRaises(RenderBudgetExceeded) as caught:
                r.render("main.s.j2", {"name": "v1"})
        self.assertLess(time.monotonic() - started, 30)
        message = str(caught.exception)
        self.assertIn("rendering main.s.j2 for v1 ran longer than its 0.5 s budget", message)
        self.assertIn("main.s.j2:2", message)
        self.assertIn("ASMGEN_RENDER_SECONDS", message)

    def test_small_loops_render_as_before(self):
        r = self.renderer("{% for i in range(3) %}\n  s_nop {{ i }}\n{% endfor %}\n")
        self.assertEqual(r.render("main.s.j2", {}).text.split(), ["s_nop", "0", "s_nop", "1", "s_nop", "2"])


if __name__ == "__main__":
    unittest.main()
