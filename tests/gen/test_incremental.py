"""Incremental builds: a no-op build renders nothing (its inputs, template files included, are checked
against the cache before rendering), a changed input re-renders, and a touched but identical code
object stays up to date. Also the allocator-written test family: named registers, args.load, a budget
rejection from the allocator."""

import json
import os
import shutil
import unittest

from support import FAMILIES, REPO, TempDirTest, needs_toolchain

from asmgen_lib import build as build_mod
from asmgen_lib.render import Renderer


class CountingRenderer(Renderer):
    calls = 0

    def render(self, template_name, context):
        CountingRenderer.calls += 1
        return super().render(template_name, context)


@needs_toolchain
class IncrementalTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.templates = self.tmp / "templates"
        for family in ("tiny", "named"):
            shutil.copytree(FAMILIES / family, self.templates / family)
        self.asm_src = self.tmp / "asm_src"
        self.asm_src.mkdir()
        self._renderer = build_mod.Renderer
        build_mod.Renderer = CountingRenderer

    def tearDown(self):
        build_mod.Renderer = self._renderer
        super().tearDown()

    def build(self, root=None):
        CountingRenderer.calls = 0
        root = root or self.tmp
        options = build_mod.BuildOptions(archs=["gfx942", "gfx950"], families=None, jobs=2, out_dir=root / "out",
                                         templates_dir=root / "templates", asm_src_dir=root / "asm_src", repo_root=root)
        report = build_mod.Builder(options).run()
        self.assertTrue(report.ok, [o.message for o in report.outcomes if o.status == build_mod.FAILED] + report.errors)
        return report.summary(), CountingRenderer.calls

    def test_a_no_op_build_renders_nothing(self):
        summary, renders = self.build()
        self.assertEqual((summary, renders), ("4 built, 0 up to date, 7 rejected, 0 failed", 11))
        self.assertEqual(self.build(), ("0 built, 4 up to date, 7 rejected, 0 failed", 0))

    def test_a_changed_include_re_renders_and_rebuilds_what_changed(self):
        self.build()
        macros = self.templates / "tiny" / "tiny_macros.j2"
        macros.write_text(macros.read_text() + "{# a comment: same output #}\n")
        self.assertEqual(self.build(), ("0 built, 4 up to date, 7 rejected, 0 failed", 9))   # tiny's 9
        self.assertEqual(self.build(), ("0 built, 4 up to date, 7 rejected, 0 failed", 0))
        (self.asm_src / "extra.inc").write_text("// nothing\n")       # asm_src: every variant re-renders
        self.assertEqual(self.build()[1], 11)

    def test_a_touched_code_object_with_the_same_bytes_stays_up_to_date(self):
        self.build()
        co = next((self.tmp / "out" / "gfx942" / "tiny").glob("*.co"))
        os.utime(co, ns=(1, 1))
        self.assertEqual(self.build(), ("0 built, 4 up to date, 7 rejected, 0 failed", 0))
        co.write_bytes(co.read_bytes() + b"\0")                     # other bytes: rebuilt
        self.assertEqual(self.build(), ("1 built, 3 up to date, 7 rejected, 0 failed", 1))

    def test_a_copied_checkout_checks_its_own_templates(self):
        # A worktree seeded with another checkout's out folder (cp -a, times kept): up to date as
        # long as its templates are the same, and an edit there re-renders (the cache once recorded
        # the original checkout's absolute paths and went on checking those).
        self.build()
        copy = self.tmp / "copy"
        copy.mkdir()
        for folder in ("templates", "asm_src", "out"):
            shutil.copytree(self.tmp / folder, copy / folder)
        self.assertEqual(self.build(copy), ("0 built, 4 up to date, 7 rejected, 0 failed", 0))
        macros = copy / "templates" / "tiny" / "tiny_macros.j2"
        macros.write_text(macros.read_text() + "{# a comment: same output #}\n")
        self.assertEqual(self.build(copy)[1], 9)                      # tiny's 9 variants re-render
        self.assertEqual(self.build()[1], 0)                          # the original is untouched

    def test_the_allocator_family_builds_and_rejects_past_the_budget(self):
        self.build()
        doc = json.loads((self.tmp / "out" / "gfx942" / "manifest.json").read_text())
        self.assertIn("named_gfx942_t2", [k["name"] for k in doc["kernels"]])
        rejected = {r["name"]: r["reason"] for r in doc["rejected"]}
        self.assertRegex(rejected["named_gfx942_t40"], r"named.s.j2:7: no 40 free VGPRs for 'work' .*budget of 32")


if __name__ == "__main__":
    unittest.main()
