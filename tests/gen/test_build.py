"""asmgen build end to end on the test-only families: manifest, budget rejection, error reports,
incremental no-op, code objects shared by several kernels, reproducibility; and list / show / clean."""

import hashlib
import json
import shutil
import unittest

from support import FAMILIES, TempDirTest, descriptor_text, needs_toolchain, readelf_metadata, run_asmgen


def load_manifest(out, arch):
    return json.loads((out / arch / "manifest.json").read_text())


@needs_toolchain
class TinyFamilyBuildTest(TempDirTest):
    def build(self, out=None, templates=FAMILIES, check=0, *extra):
        return run_asmgen("build", "--templates", templates, "--out", out or self.tmp / "out",
                          "--family", "tiny", "-j", "2", *extra, check=check)

    def test_manifest_schema_and_contents(self):
        self.build()
        out = self.tmp / "out"
        for arch in ("gfx942", "gfx950"):
            doc = load_manifest(out, arch)
            self.assertEqual(set(doc), {"schema", "arch", "toolchain", "ops", "kernels", "rejected"})
            self.assertEqual((doc["schema"], doc["arch"]), (1, arch))
            self.assertRegex(doc["toolchain"], r"^LLVM 22\.\d+\.\d+$")
            for k in doc["kernels"]:
                self.assertEqual(set(k), {"name", "family", "arch", "params", "symbol", "file", "sha256",
                                          "workgroup_size", "resources", "kernargs", "requires", "launch"})
                w = k["params"]["width"]
                self.assertEqual(k["requires"], [{"arg": "count", "multiple": 32 * w, "name": "k_multiple"},
                                                 {"pointer": "out", "align": 16, "name": "out_align_bytes"}])
                self.assertEqual(k["launch"], {"grid": [f"ceil_div(count, {64 * w})", 1, 1], "block": [64, 1, 1]})
                self.assertEqual(set(k["resources"]), {"vgpr", "agpr", "accum_offset", "sgpr", "lds_bytes",
                                                       "scratch_bytes", "kernarg_bytes", "wavefront_size"})
                self.assertEqual(k["file"], f"tiny/tiny_{arch}.000.co")      # one code object per family here
                self.assertEqual(k["symbol"], k["name"])
                self.assertEqual(k["workgroup_size"], [64, 1, 1])
                self.assertTrue((out / arch / k["file"]).is_file())
                self.assertEqual(k["sha256"], hashlib.sha256((out / arch / k["file"]).read_bytes()).hexdigest())
                self.assertEqual(k["resources"]["wavefront_size"], 64)
                self.assertEqual(k["resources"]["lds_bytes"], 64 * k["params"]["width"])
                self.assertEqual(k["resources"]["vgpr"], k["params"]["regs"])   # the template writes v[regs-1]
            names = sorted(k["name"] for k in doc["kernels"])
            expected = ["tiny_gfx950_w1_r8_0", "tiny_gfx950_w2_r8_0"] if arch == "gfx950" else ["tiny_gfx942_w1_r8_0"]
            self.assertEqual(names, expected)

    def test_over_budget_and_scratch_variants_are_rejected_with_the_reason(self):
        done = self.build()
        rejected = {r["name"]: r for r in load_manifest(self.tmp / "out", "gfx942")["rejected"]}
        self.assertEqual(set(rejected), {"tiny_gfx942_w1_r40_0", "tiny_gfx942_w1_r8_1"})
        self.assertEqual(rejected["tiny_gfx942_w1_r40_0"]["reason"], "needs 40 VGPRs, budget is 32")
        self.assertIn("16 bytes of scratch", rejected["tiny_gfx942_w1_r8_1"]["reason"])
        self.assertEqual(rejected["tiny_gfx942_w1_r40_0"]["params"], {"width": 1, "regs": 40, "spill": False})
        co = self.tmp / "out" / "gfx942" / "tiny" / "tiny_gfx942.000.co"          # rejected: not assembled
        self.assertEqual([k[".name"] for k in readelf_metadata(co)["amdhsa.kernels"]], ["tiny_gfx942_w1_r8_0"])
        self.assertIn("needs 40 VGPRs, budget is 32", done.stdout)
        self.assertIn("3 built, 0 up to date, 6 rejected, 0 failed", done.stdout)

    def test_kernargs_match_the_code_object_metadata(self):
        self.build()
        out = self.tmp / "out"
        kernel = next(k for k in load_manifest(out, "gfx950")["kernels"] if k["name"] == "tiny_gfx950_w2_r8_0")
        meta = readelf_metadata(out / "gfx950" / kernel["file"])
        (k,) = [k for k in meta["amdhsa.kernels"] if k[".name"] == kernel["symbol"]]
        self.assertEqual(k[".name"], kernel["symbol"])
        self.assertEqual(k[".kernarg_segment_size"], kernel["resources"]["kernarg_bytes"])
        self.assertEqual([(a[".name"], a[".offset"], a[".size"], a[".value_kind"]) for a in k[".args"]],
                         [(a["name"], a["offset"], a["size"], a["kind"]) for a in kernel["kernargs"]])
        # and both agree with the layout derived by hand from space.yaml
        self.assertEqual([(a["name"], a["offset"]) for a in kernel["kernargs"]],
                         [("out", 0), ("count", 8), ("big", 16), ("flag", 24), ("wide", 32)])
        self.assertEqual(k[".vgpr_count"], kernel["resources"]["vgpr"])
        self.assertEqual(k[".wavefront_size"], 64)
        self.assertEqual(meta["amdhsa.version"], [1, 2])        # code object v5 metadata
        kd = descriptor_text(out / "gfx950" / kernel["file"], kernel["symbol"])
        self.assertIn(f".amdhsa_group_segment_fixed_size {kernel['resources']['lds_bytes']}", kd)
        self.assertIn(f".amdhsa_accum_offset {kernel['resources']['accum_offset']}", kd)
        self.assertIn(".amdhsa_private_segment_fixed_size 0", kd)

    def test_the_metadata_note_decoded_here_is_what_llvm_readelf_prints(self):
        from asmgen_lib.resources import metadata_from_elf
        self.build()
        cos = sorted((self.tmp / "out").rglob("*.co"))
        self.assertEqual(len(cos), 2)
        for co in cos:
            self.assertEqual(metadata_from_elf(co), readelf_metadata(co), co.name)

    def test_no_op_rebuild_touches_nothing(self):
        self.build()
        out = self.tmp / "out"
        stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.suffix in (".co", ".json")}
        done = self.build()
        self.assertIn("0 built, 3 up to date, 6 rejected, 0 failed", done.stdout)
        self.assertEqual(stamps, {p: p.stat().st_mtime_ns for p in stamps})

    def test_a_deleted_or_edited_manifest_is_written_again_by_a_no_op_build(self):
        self.build()
        path = self.tmp / "out" / "gfx942" / "manifest.json"
        good = path.read_text()
        path.unlink()
        self.assertIn("0 built, 3 up to date", self.build().stdout)
        self.assertEqual(path.read_text(), good)
        path.write_text(good.replace('"tiny_gfx942_w1_r8_0"', '"edited"'))
        self.build()
        self.assertEqual(path.read_text(), good)

    def test_a_template_change_rebuilds_only_what_it_affects(self):
        templates = self.tmp / "templates"
        shutil.copytree(FAMILIES / "tiny", templates / "tiny")
        self.build(templates=templates)
        macros = templates / "tiny" / "tiny_macros.j2"
        macros.write_text(macros.read_text().replace("{{ value }}", "{{ value + 1 }}"))
        done = self.build(None, templates)
        self.assertIn("3 built, 0 up to date", done.stdout)
        gfx942 = self.tmp / "out" / "gfx942" / "tiny" / "tiny_gfx942.000.co"
        stamp = gfx942.stat().st_mtime_ns
        main = templates / "tiny" / "tiny.s.j2"
        main.write_text(main.read_text().replace("  s_endpgm", "{% if width == 2 %}\n  s_nop 0\n{% endif %}\n  s_endpgm"))
        done = self.build(None, templates)
        # the width-2 kernel's code object (gfx950's, which it shares with w1) is rebuilt; gfx942's is not
        self.assertIn("2 built, 1 up to date", done.stdout)
        self.assertEqual(gfx942.stat().st_mtime_ns, stamp)

    def test_kernels_share_a_code_object(self):
        self.build()
        out = self.tmp / "out"
        kernels = load_manifest(out, "gfx950")["kernels"]
        self.assertEqual({(k["symbol"], k["file"]) for k in kernels}, {("tiny_gfx950_w1_r8_0", "tiny/tiny_gfx950.000.co"),
                                                                       ("tiny_gfx950_w2_r8_0", "tiny/tiny_gfx950.000.co")})
        co = out / "gfx950" / "tiny" / "tiny_gfx950.000.co"
        self.assertEqual({k[".name"]: k[".symbol"] for k in readelf_metadata(co)["amdhsa.kernels"]},
                         {"tiny_gfx950_w1_r8_0": "tiny_gfx950_w1_r8_0.kd", "tiny_gfx950_w2_r8_0": "tiny_gfx950_w2_r8_0.kd"})
        # each kernel's local labels carry its symbol, so both `.Ldone` of the template coexist
        source = (out / "gfx950" / ".asmgen" / "src" / "tiny" / "tiny_gfx950.000.s").read_text()
        self.assertIn(".Ltiny_gfx950_w1_r8_0.done:", source)
        self.assertIn(".Ltiny_gfx950_w2_r8_0.done:", source)
        # each kernel has its own descriptor: the LDS sizes differ by width
        kd = descriptor_text(co)
        self.assertIn(".amdhsa_group_segment_fixed_size 64", kd)
        self.assertIn(".amdhsa_group_segment_fixed_size 128", kd)
        # and `show` disassembles only the asked kernel of the shared file
        shown = run_asmgen("show", "tiny_gfx950_w2_r8_0", "--out", out, check=0).stdout
        self.assertIn("<tiny_gfx950_w2_r8_0>:", shown)
        self.assertNotIn("<tiny_gfx950_w1_r8_0>:", shown)

    def test_one_kernel_per_code_object_and_a_change_rebuilds_only_its_own(self):
        templates = self.tmp / "templates"
        shutil.copytree(FAMILIES / "tiny", templates / "tiny")
        self.build(None, templates, 0, "--per-object", "1")
        files = sorted(p.name for p in (self.tmp / "out").rglob("*.co"))
        self.assertEqual(files, ["tiny_gfx942.000.co", "tiny_gfx950.000.co", "tiny_gfx950.001.co"])
        stamps = {p: p.stat().st_mtime_ns for p in (self.tmp / "out").rglob("*.co")}
        main = templates / "tiny" / "tiny.s.j2"
        main.write_text(main.read_text().replace("  s_endpgm", "{% if width == 2 %}\n  s_nop 0\n{% endif %}\n  s_endpgm"))
        self.assertIn("1 built, 2 up to date", self.build(None, templates, 0, "--per-object", "1").stdout)
        changed = sorted(p.name for p, stamp in stamps.items() if p.stat().st_mtime_ns != stamp)
        self.assertEqual(changed, ["tiny_gfx950.001.co"])
        self.assertIn("0 built, 3 up to date", self.build(None, templates, 0, "--per-object", "1").stdout)

    def test_a_failed_rebuild_keeps_the_family_as_it_was(self):
        """Issue 17: a rebuild with a failing variant used to delete the family's good code objects and
        rewrite the manifest without them; now the family is replaced only when all its variants build."""
        templates = self.tmp / "templates"
        shutil.copytree(FAMILIES / "tiny", templates / "tiny")
        self.build(templates=templates)
        out = self.tmp / "out"
        code_objects = lambda arch: {p.name: p.read_bytes() for p in (out / arch / "tiny").glob("*.co")}  # noqa: E731
        before = {arch: code_objects(arch) for arch in ("gfx942", "gfx950")}
        manifest_before = {arch: (out / arch / "manifest.json").read_text() for arch in ("gfx942", "gfx950")}
        self.assertEqual(sorted(before["gfx950"]), ["tiny_gfx950.000.co"])
        main = templates / "tiny" / "tiny.s.j2"
        good = main.read_text()
        # Every variant changes; width 2 (gfx950 only) no longer assembles.
        main.write_text(good.replace("  s_endpgm", "{% if width == 2 %}\n  v_bogus_instruction v1\n{% endif %}\n"
                                                   "  s_nop 0\n  s_endpgm"))
        done = self.build(None, templates, 1)
        self.assertIn("FAILED gfx950 tiny_gfx950_w2_r8_0", done.stderr)
        self.assertIn("asmgen: gfx950 tiny: not replaced (a variant failed); its previous code objects and manifest "
                      "entries stay", done.stderr)
        self.assertEqual(code_objects("gfx950"), before["gfx950"])
        self.assertEqual((out / "gfx950" / "manifest.json").read_text(), manifest_before["gfx950"])
        # gfx942 has no width-2 variant: its family built completely and was replaced.
        self.assertNotEqual(code_objects("gfx942"), before["gfx942"])
        self.assertNotEqual((out / "gfx942" / "manifest.json").read_text(), manifest_before["gfx942"])
        self.assertEqual(list(out.rglob("staging")), [])
        # Fixed again: the same bytes as the first build (nothing half-replaced was left behind).
        main.write_text(good)
        self.build(None, templates)
        self.assertEqual({arch: code_objects(arch) for arch in ("gfx942", "gfx950")}, before)

    def test_a_deleted_code_object_is_rebuilt(self):
        self.build()
        (self.tmp / "out" / "gfx942" / "tiny" / "tiny_gfx942.000.co").unlink()
        self.assertIn("1 built, 2 up to date", self.build().stdout)

    def test_two_builds_give_identical_bytes(self):
        self.build(self.tmp / "a")
        self.build(self.tmp / "b")
        files = sorted(p.relative_to(self.tmp / "a") for p in (self.tmp / "a").rglob("*.co"))
        self.assertEqual(len(files), 2)
        for rel in files:
            self.assertEqual((self.tmp / "a" / rel).read_bytes(), (self.tmp / "b" / rel).read_bytes(), rel)
        for arch in ("gfx942", "gfx950"):
            self.assertEqual((self.tmp / "a" / arch / "manifest.json").read_text(),
                             (self.tmp / "b" / arch / "manifest.json").read_text())

    def test_list_show_clean(self):
        self.build()
        out = self.tmp / "out"
        listed = run_asmgen("list", "--out", out, check=0).stdout
        self.assertIn("tiny_gfx942_w1_r8_0", listed)
        as_json = json.loads(run_asmgen("list", "--out", out, "--arch", "gfx950", "--json", check=0).stdout)
        self.assertEqual(sorted(k["name"] for k in as_json), ["tiny_gfx950_w1_r8_0", "tiny_gfx950_w2_r8_0"])
        shown = run_asmgen("show", "tiny_gfx950_w2_r8_0", "--out", out, check=0).stdout
        for fragment in ("width=2", "regs=8", "kernarg_bytes=48", "wide", "v_mov_b32_e32 v7, 2", "s_endpgm"):
            self.assertIn(fragment, shown)
        missing = run_asmgen("show", "tiny_gfx950_w9", "--out", out, check=1)
        self.assertIn("no kernel named tiny_gfx950_w9", missing.stderr)
        self.assertIn("tiny_gfx950_w2_r8_0", missing.stderr)           # names what exists
        run_asmgen("clean", "--out", out, check=0)
        self.assertFalse(out.exists())


@needs_toolchain
class BrokenFamiliesTest(TempDirTest):
    """All test families at once: the broken ones are reported, the good variants still built."""

    def setUp(self):
        super().setUp()
        self.done = run_asmgen("build", "--templates", FAMILIES, "--out", self.tmp / "out", "--arch", "gfx942",
                               check=1)

    def test_assembler_error_shows_template_line_and_generated_line(self):
        err = self.done.stderr
        self.assertIn("FAILED gfx942 asmerr_gfx942_1", err)
        self.assertIn("tests/gen/families/asmerr/asmerr_macros.j2:3, called from tests/gen/families/asmerr/asmerr.s.j2:4",
                      err)
        self.assertIn("v_bogus_instruction v3, v4", err)
        self.assertRegex(err, r"generated \S+asmerr_gfx942_1\.s:\d+: v_bogus_instruction")

    def test_other_variants_are_still_built(self):
        kernels = {k["name"] for k in load_manifest(self.tmp / "out", "gfx942")["kernels"]}
        # asmerr_gfx942_0 builds, but its family is installed only when every variant builds.
        self.assertEqual(kernels, {"named_gfx942_t2", "tiny_gfx942_w1_r8_0"})
        self.assertIn("3 built, 0 up to date, 3 rejected, 3 failed", self.done.stdout)
        self.assertIn("asmgen: gfx942 asmerr: not replaced (a variant failed)", self.done.stderr)

    def test_undefined_variable_is_named_with_its_file(self):
        self.assertIn("tests/gen/families/undefvar/undefvar.s.j2:3: undefined template variable: "
                      "'no_such_variable' is undefined", self.done.stderr)

    def test_bad_space_key_is_named_with_its_file(self):
        self.assertIn("tests/gen/families/badkey/space.yaml: top level: unknown key 'constraint'", self.done.stderr)

    def test_failures_are_retried_not_cached(self):
        again = run_asmgen("build", "--templates", FAMILIES, "--out", self.tmp / "out", "--arch", "gfx942", check=1)
        # asmerr_gfx942_0 was never installed (its family failed), so it builds again.
        self.assertIn("1 built, 2 up to date, 3 rejected, 3 failed", again.stdout)
        self.assertIn("asmerr_macros.j2:3", again.stderr)


if __name__ == "__main__":
    unittest.main()
