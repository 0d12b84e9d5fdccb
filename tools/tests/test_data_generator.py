"""Procedural data generator: determinism, SDF sign and symmetry, layout conventions, held-out split,
ground-truth meshes and the condition preprocessing."""
from __future__ import annotations

import numpy as np
import pytest

from fastsam3d_tools.data import sdf as S
from fastsam3d_tools.data.camera import Layout, project, quaternion_wxyz, rotation_from_6d, sample_rotation
from fastsam3d_tools.data.families import FAMILIES, HELD_OUT_FAMILIES, TRAIN_FAMILIES, make_object
from fastsam3d_tools.data.preprocess import condition_inputs, crop_window
from fastsam3d_tools.data.scene import _families_for, centre_pixel, cutout_rgba, make_scene, target_shape
from fastsam3d_tools.data.shapes import Part, Shape
from fastsam3d_tools.data.textures import ColourField
from fastsam3d_tools.data.targets import occupancy, surface_nets, surface_voxels, write_ply


def test_same_seed_same_scene_and_pixels():
    a = make_scene(17, "train")
    b = make_scene(17, "train")
    ra, ma, _ = a.render(48)
    rb, mb, _ = b.render(48)
    assert np.array_equal(ra, rb) and np.array_equal(ma, mb)
    assert np.array_equal(a.targets[0].layout.rotation, b.targets[0].layout.rotation)
    c = make_scene(18, "train")
    assert c.targets[0].layout.translation.tolist() != a.targets[0].layout.translation.tolist()


def test_train_heldout_and_validation_streams_differ():
    a = make_scene(3, "train").targets[0].layout.translation
    b = make_scene(3, "heldout").targets[0].layout.translation
    c = make_scene(3, "validation").targets[0].layout.translation
    assert not np.allclose(a, b) and not np.allclose(b, c) and not np.allclose(a, c)


def test_held_out_family_never_in_training():
    assert set(HELD_OUT_FAMILIES).isdisjoint(TRAIN_FAMILIES)
    assert set(_families_for("train")) == set(TRAIN_FAMILIES)
    assert set(HELD_OUT_FAMILIES) <= set(_families_for("heldout"))
    assert _families_for("validation") == _families_for("heldout")   # same mix, other seeds
    with pytest.raises(ValueError, match="unknown split"):
        make_scene(0, "test")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_canonical_frame_and_sdf_sign(family):
    shape = make_object(np.random.default_rng(5), family)
    lo, hi = shape.bbox(48)
    assert np.all(lo >= -0.52) and np.all(hi <= 0.52), (lo, hi)
    assert 0.85 <= np.max(hi - lo) <= 1.0
    assert np.allclose((lo + hi) / 2, 0, atol=0.03)
    far = np.array([[0.9, 0.9, 0.9], [-0.9, 0.1, 0.0], [0.0, 0.0, -0.95]])
    assert np.all(shape.sdf(far) > 0), "points outside the unit box must be outside the shape"
    assert occupancy(shape, 16).any()


def test_sphere_sdf_is_exact():
    p = np.random.default_rng(0).normal(size=(100, 3))
    assert np.allclose(S.sphere(p, 0.3), np.linalg.norm(p, axis=1) - 0.3)
    sq = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    q = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]])
    assert np.allclose(S.polygon2d(q, sq), [-0.5, 0.5, 0.0])


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_symmetry_descriptor_holds(family):
    """Every rotation in the descriptor (and turns about its continuous axis) maps the raw shape onto
    itself (the raw parts are built symmetric about the origin; normalisation only recentres)."""
    rng = np.random.default_rng(11)
    for seed in range(4):
        shape = FAMILIES[family](np.random.default_rng(seed))
        sym = shape.symmetry
        mats = [np.array(g).reshape(3, 3) for g in sym.get("group", [])]
        if "axis" in sym:
            assert sym["axis"] == [0.0, 0.0, 1.0]
            mats += [S.rot_z(a) for a in (0.7, 2.1)]
        p = rng.uniform(-0.6, 0.6, size=(400, 3))
        d = shape._raw(p)
        for m in mats:
            assert np.allclose(shape._raw(p @ m.T), d, atol=2e-3), (family, seed, m)


def test_rotation_6d_round_trip_and_quaternion():
    rng = np.random.default_rng(2)
    for _ in range(20):
        R = sample_rotation(rng)
        assert np.allclose(R @ R.T, np.eye(3), atol=1e-9) and np.isclose(np.linalg.det(R), 1.0)
        r6 = np.concatenate([R[0], R[1]])
        assert np.allclose(rotation_from_6d(r6), R)
        q = quaternion_wxyz(R)
        w, x, y, z = q
        Rq = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                       [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                       [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
        assert np.allclose(Rq, R, atol=1e-9)


def test_upright_objects_point_up_in_the_camera_frame():
    rng = np.random.default_rng(4)
    ups = [(np.array([0.0, 0.0, 1.0]) @ sample_rotation(rng))[1] for _ in range(50)]
    assert np.median(ups) > 0.8   # object z maps to camera +y (up) for most poses


def test_layout_round_trip_centre_projects_onto_the_mask():
    """The posed object's centre (origin of a solid primitive; tori have a hole there) lands on its
    visible mask, and the object↔camera transforms invert each other."""
    checked = 0
    for seed in range(8):
        sc = make_scene(seed, "train", families=["primitive"], occluder_prob=0.0)
        lay = sc.targets[0].layout
        p = np.random.default_rng(seed).normal(size=(10, 3))
        assert np.allclose(lay.to_object(lay.to_camera(p)), p)
        if sc.targets[0].shape.parts[0].kind == "torus":
            continue
        width = 64
        _, masks, _ = sc.render(width)
        u, v = centre_pixel(sc.targets[0], width, sc.fov_deg)
        assert masks[0][int(v), int(u)], f"seed {seed}: centre pixel ({u:.1f}, {v:.1f}) is off the mask"
        checked += 1
    assert checked >= 4


def test_projection_convention():
    # x left, y up, z forward: a point to the camera's left and up lands left/up of the centre
    uv = project(np.array([[0.5, 0.5, 2.0]]), 100, 40.0)[0]
    assert uv[0] < 50 and uv[1] < 50
    lay = Layout(np.eye(3), np.array([0.0, 0.0, 3.0]), 2.0)
    assert np.allclose(lay.to_camera(np.array([[0.1, 0.0, 0.0]])), [[0.2, 0.0, 3.0]])


def test_cutout_follows_sam3d_convention():
    rgb = np.full((4, 4, 3), 0.2)
    mask = np.zeros((4, 4), bool)
    mask[1:3, 1:3] = True
    out = cutout_rgba(rgb, mask)
    assert out.dtype == np.uint8 and out.shape == (4, 4, 4)
    assert (out[0, 0] == [255, 255, 255, 0]).all() and (out[1, 1] == [51, 51, 51, 255]).all()


def test_surface_nets_sphere_volume_and_orientation(tmp_path):
    grey = ColourField("solid", np.array([0.5, 0.5, 0.5]), np.array([0.5, 0.5, 0.5]))
    sphere = Shape("primitive", [Part("sphere", {"r": 0.4}, grey)])
    v, f = surface_nets(sphere, 32)
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    vol = np.sum(np.einsum("ij,ij->i", a, np.cross(b, c))) / 6
    assert vol > 0, "faces must wind counter-clockwise seen from outside"
    assert abs(vol - 4 / 3 * np.pi * 0.4 ** 3) / vol < 0.03
    assert np.allclose(np.linalg.norm(v, axis=1), 0.4, atol=0.01)
    mv, mf = surface_nets(target_shape(0, "train"), 24)
    mvol = np.sum(np.einsum("ij,ij->i", mv[mf[:, 0]], np.cross(mv[mf[:, 1]], mv[mf[:, 2]]))) / 6
    assert mvol > 0
    write_ply(tmp_path / "m.ply", v, f, np.zeros_like(v))
    head = (tmp_path / "m.ply").read_bytes()[:300]
    assert head.startswith(b"ply\nformat binary_little_endian 1.0\n") and f"element face {len(f)}".encode() in head


def test_surface_voxels_are_the_pruned_shell():
    occ = np.zeros((8, 8, 8), bool)
    occ[1:7, 1:7, 1:7] = True
    shell = surface_voxels(occ, 1)
    assert shell.sum() == 6 ** 3 - 4 ** 3
    assert not shell[3, 3, 3] and shell[1, 3, 3]


def test_crop_window_matches_the_typescript_rule():
    mask = np.zeros((100, 120), bool)
    mask[20:40, 30:80] = True          # bbox w = 50, h = 20
    left, top, side = crop_window(mask, 1.2)
    assert side == 60 and left == 25 and top == 0
    img, msk = condition_inputs(np.zeros((100, 120, 3), np.uint8), mask, 32)
    assert img.shape == (2, 3, 32, 32) and msk.shape == (2, 1, 32, 32)
    assert msk[0].sum() > msk[1].sum() > 0
    with pytest.raises(ValueError, match="mask is empty"):
        condition_inputs(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), bool), 8)
