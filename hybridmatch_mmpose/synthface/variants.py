"""The rendering variants of SynthFace-68 (``variant=`` / ``--variant``).

``classic`` is the plain rendering. The other variants add variety that a
few labelled faces cannot cover and that flip/rotation/scale augmentation
does not synthesise, while every landmark stays on a drawn feature. Each
switches on groups of extra variety:

* ``styles``: per face, independent drawing-style families
  (:class:`~.styles.FaceStyle`): render mode (shaded photo-like, flat
  colours, line art), skin texture, brows, eyes, nose, mouth, jaw, painted
  feature colours, light-on-dark polarity;
* ``post``: a global channel permutation, negative, posterisation, pencil
  sketch or grey image (:func:`~.styles.post_style`);
* ``distract``: 1-4 extra eyes, brows, noses or mouths in the same style
  around the head, drawn before it (:func:`~.styled_face.part_distractors`);
* ``crowd``: up to two neighbouring faces partly behind the target face
  and sometimes a painted eye or mouth on the forehead (:mod:`.render`);
* ``shapes``: exaggerated identities: twice the PCA spread and independent
  per-part size/position changes (:func:`~.shape_edits.identity_edit`);
* ``xshapes``: as ``shapes``, plus inner parts (brows, eyes, nose, mouth)
  taken from other real shapes (:func:`~.shape_edits.mix_parts`) and 32
  PCA modes at 1.5x the spread.

``classic`` images are byte-identical to those made before the option
existed, and a set without a recorded variant is a ``classic`` set.
"""

#: Generator variants: the groups of extra variety each switches on (see
#: :func:`~.render.render_sample`).
VARIANTS = dict(
    classic=frozenset(),
    styles=frozenset({'styles', 'post'}),
    distract=frozenset({'distract'}),
    shapes=frozenset({'shapes'}),
    crowd=frozenset({'distract', 'crowd'}),
    diverse_xshapes=frozenset({'styles', 'post', 'distract', 'xshapes'}),
    diverse_crowd=frozenset({'styles', 'post', 'distract', 'shapes',
                             'crowd'}),
    diverse=frozenset({'styles', 'post', 'distract', 'shapes'}),
)

#: The variant used without ``variant=``: the one that leaves the widest
#: gap between a few labels and all of them
#: (``docs/results/synthface_label_fraction_gap.md``); ``classic`` was the
#: default before.
DEFAULT_VARIANT = 'diverse_xshapes'
