"""Which kernels share a code object (grouping.plan) and the key that decides whether a group's code
object is rebuilt (grouping.group_key)."""

import unittest

import support  # noqa: F401  (puts gen/ on the path)

from asmgen_lib.grouping import Group, group_key, plan


class PlanTest(unittest.TestCase):
    def test_consecutive_groups_of_at_most_per_object(self):
        names = [f"f_gfx942_{i}" for i in range(7)]
        groups = plan("gfx942", "f", names, 3)
        self.assertEqual([g.members for g in groups], [tuple(names[0:3]), tuple(names[3:6]), (names[6],)])
        self.assertEqual([g.file for g in groups], ["f/f_gfx942.000.co", "f/f_gfx942.001.co", "f/f_gfx942.002.co"])
        self.assertEqual({(g.arch, g.family) for g in groups}, {("gfx942", "f")})

    def test_one_kernel_per_object_and_no_kernels(self):
        self.assertEqual([g.members for g in plan("gfx950", "f", ["a", "b"], 1)], [("a",), ("b",)])
        self.assertEqual(plan("gfx950", "f", [], 32), [])


class GroupKeyTest(unittest.TestCase):
    def setUp(self):
        self.group = Group("gfx942", "f", "f/f_gfx942.000.co", ("a", "b"))
        self.key = group_key(self.group, ["ka", "kb"])

    def test_the_same_members_and_sources_give_the_same_key(self):
        self.assertEqual(group_key(Group("gfx942", "f", "f/f_gfx942.000.co", ("a", "b")), ["ka", "kb"]), self.key)

    def test_a_changed_member_source_membership_order_or_file_changes_it(self):
        others = [group_key(self.group, ["ka", "kb2"]),
                  group_key(Group("gfx942", "f", "f/f_gfx942.000.co", ("a", "c")), ["ka", "kb"]),
                  group_key(Group("gfx942", "f", "f/f_gfx942.000.co", ("b", "a")), ["kb", "ka"]),
                  group_key(Group("gfx942", "f", "f/f_gfx942.000.co", ("a",)), ["ka"]),
                  group_key(Group("gfx942", "f", "f/f_gfx942.001.co", ("a", "b")), ["ka", "kb"])]
        self.assertNotIn(self.key, others)
        self.assertEqual(len(set(others)), len(others))


if __name__ == "__main__":
    unittest.main()
